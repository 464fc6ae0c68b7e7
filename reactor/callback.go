package reactor

import (
	"fmt"
	"runtime/debug"
)

// User functions that the runtime calls outside a reactor's turn run
// under the same isolation as a handler: a panic in one of them never
// unwinds into a worker (which would end the process) and never stops
// the runtime's own work half-way.
//
//   - AfterTerminate functions, and stream completion handlers (Done)
//     called while a reactor terminates or restarts: the panic is a
//     failure of that reactor, told to the failure handler.
//   - The failure handler and the dead-letter handler: the panic is
//     logged with the system's logger; telling the failure handler about
//     its own panic could recurse.

// guarded returns fn, an AfterTerminate function of the reactor f, made
// safe to run on any goroutine: a panic in fn is reported as a final
// failure of f and goes no further.
func (f *frame) guarded(fn func(error)) func(error) {
	return func(err error) {
		defer func() {
			if v := recover(); v != nil {
				f.sys.reportFailure(f, failureOf(v), true)
			}
		}()
		fn(err)
	}
}

// safely runs fn, which completes the reactor's streams outside its
// turn's handlers (termination, restart). A panicking completion handler
// is reported as a failure of the reactor, final or not, and the caller
// goes on: every observer has been told by then (emit.List.Close tells
// the others before the panic goes on).
func (f *frame) safely(final bool, fn func()) {
	defer func() {
		if v := recover(); v != nil {
			f.sys.reportFailure(f, failureOf(v), final)
		}
	}()
	fn()
}

// callFailureHandler calls the failure handler h with fl; a panic in h is
// logged, not reported again.
func (s *System) callFailureHandler(h func(Failure), fl Failure) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error().Str("reactor", fl.Reactor).Uint64("id", fl.ID).AnErr("failure", fl.Err).
				Str("panic", fmt.Sprint(v)).Bytes("stack", debug.Stack()).Msg("failure handler panicked")
		}
	}()
	h(fl)
}

// callDeadLetterHandler calls the dead-letter handler h with d; a panic
// in h is logged (rate-limited, as dead letters are) and goes no further.
func (s *System) callDeadLetterHandler(h func(DeadLetter), d DeadLetter) {
	defer func() {
		if v := recover(); v != nil {
			if n, ok := s.panicGate.allow(); ok {
				s.log.Error().Str("channel", d.Channel).Stringer("reason", d.Reason).Uint64("suppressed", n).
					Str("panic", fmt.Sprint(v)).Bytes("stack", debug.Stack()).Msg("dead-letter handler panicked")
			}
		}
	}()
	h(d)
}
