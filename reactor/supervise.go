package reactor

import (
	"runtime/debug"
	"time"

	"github.com/reactors-go/reactors/events"
)

// RestartPolicy says when a failed reactor is restarted: at most
// MaxRestarts times within any Window, waiting Backoff before the first
// restart and doubling the wait after each restart, up to MaxBackoff. A
// failure beyond the limit terminates the reactor.
//
// The zero values mean: MaxRestarts 0 (so the zero RestartPolicy), never
// restart, as without [WithRestart]; Window 0, no limit in time (at most
// MaxRestarts restarts in the reactor's life, and the wait never starts
// over); Backoff 0, restart at once, before the next event; MaxBackoff 0
// (or below Backoff), the wait stays Backoff. A failure that comes after
// a whole Window without one starts the wait over from Backoff. No
// field may be negative ([Spawn] refuses it with [ErrInvalidOption]).
//
// A restarted reactor keeps its main channel and the events queued on it;
// the connectors it opened, its subscriptions and its timers are dropped,
// and the constructor runs again. The event whose handler failed is not
// redelivered.
type RestartPolicy struct {
	MaxRestarts int
	Window      time.Duration
	Backoff     time.Duration
	MaxBackoff  time.Duration
}

// fail handles a failed constructor or handler: [Died], then a restart or
// termination.
func (f *frame) fail(err error) bool {
	x := f.ensureExtra()
	f.emitLifeSafe(Lifecycle{Phase: Died, Err: err})
	restart := x.restart != nil && f.allowRestart(x)
	f.sys.reportFailure(f, err, !restart)
	if !restart {
		f.terminate(err, ReasonTerminated)
		return false
	}
	// Drop this incarnation: its opened connectors, handlers and timers.
	for _, p := range x.conns {
		f.safely(false, func() { p.shut(ReasonTerminated) })
	}
	x.conns, x.cursor, x.compact = nil, 0, false
	f.publishConns(x)
	f.safely(false, f.typed().reset)
	x.life.Clear()
	f.nonDaemon = 0
	if f.typed().keepsAlive() {
		f.nonDaemon = 1 // the main connector lives on
	}
	f.started = false
	x.mu.Lock()
	x.restarts++
	x.mu.Unlock()
	f.sys.restarts.Add(1)
	if x.backoff <= 0 {
		return true // restart at once: the next turn runs the constructor
	}
	d := x.backoff
	x.backoff = min(2*x.backoff, max(x.restart.MaxBackoff, x.restart.Backoff))
	f.flags.Or(flagBackoff)
	x.timer = time.AfterFunc(d, func() {
		f.flags.And(^flagBackoff)
		f.notify()
	})
	return f.idleInBackoff()
}

func (f *frame) allowRestart(x *extra) bool {
	p := x.restart
	if p.MaxRestarts <= 0 {
		return false
	}
	now := time.Now()
	if p.Window > 0 {
		kept := x.history[:0]
		for _, t := range x.history {
			if now.Sub(t) < p.Window {
				kept = append(kept, t)
			}
		}
		x.history = kept
	}
	if len(x.history) == 0 {
		// The first failure, or the first after a quiet window: the wait
		// starts again from Backoff.
		x.backoff = p.Backoff
	}
	if len(x.history) >= p.MaxRestarts {
		return false
	}
	x.history = append(x.history, now)
	return true
}

// idleInBackoff releases a reactor that waits to restart, so that incoming
// events queue up without being handled. The restart timer clears the flag
// and then notifies; whichever of the two sides comes second reschedules.
//
// A stop request ([System.Shutdown]) ends the wait like the timer does: the next
// turn terminates the reactor.
func (f *frame) idleInBackoff() bool {
	waiting := func() bool { return f.flags.Load()&(flagBackoff|flagsHalting) == flagBackoff }
	for {
		if !waiting() {
			return true
		}
		s := f.state.Load()
		if f.state.CompareAndSwap(s, stIdle) {
			if !waiting() && f.state.CompareAndSwap(stIdle, stScheduled) {
				return true
			}
			return false
		}
	}
}

func failureOf(v any) error {
	if u, ok := v.(*events.UnhandledError); ok {
		return u
	}
	return &PanicError{Value: v, Stack: debug.Stack()}
}
