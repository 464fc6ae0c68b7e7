package reactor

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

// guarded returns fn, an [Channel.AfterTerminate] function of the reactor f, made
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
// goes on: every observer has been told by then ([emit.List.Close] tells
// the others before the panic goes on).
func (f *frame) safely(final bool, fn func()) {
	defer func() {
		if v := recover(); v != nil {
			f.sys.reportFailure(f, failureOf(v), final)
		}
	}()
	fn()
}
