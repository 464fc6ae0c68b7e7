package events

import (
	"fmt"

	"github.com/reactors-go/reactors/internal/emit"
	"github.com/reactors-go/reactors/internal/owner"
)

// Emitter is an imperative event source: [Emitter.Emit], [Emitter.EmitError]
// and [Emitter.Close] push to its subscribers.
//
// The zero value is an open emitter with no subscribers. An Emitter must not
// be copied after first use. It belongs to the reactor that first uses it
// from a handler or constructor: from then on, [Emitter.Subscribe], Emit,
// EmitError, Close and [Emitter.Clear] from any other reactor or goroutine
// panic with an error matching [ErrNotOwner] (which fails the calling
// reactor) instead of racing. The check costs about 2 ns per call on the
// goroutine that last passed it, about 5 ns after the reactor moved to
// another worker. An emitter used only outside reactors is never bound and
// never checked.
type Emitter[T any] struct {
	l     emit.List[T]
	owner uint64 // token of the owning reactor; 0 until bound
	slot  *owner.Slot
}

// check enforces ownership: the first use from inside a reactor binds the
// emitter to it; a later use from elsewhere panics.
func (e *Emitter[T]) check() {
	if s := e.slot; s != nil && s.Mine() && s.Token == e.owner {
		return // the fast path: the same goroutine, still running the owner
	}
	s, tok := owner.Lookup()
	switch {
	case e.owner == 0:
		if tok != 0 {
			e.owner, e.slot = tok, s
		}
	case tok == e.owner:
		e.slot = s
	default:
		panic(fmt.Errorf("events: stream used outside its reactor: %w", ErrNotOwner))
	}
}

// Subscribe adds o. On a closed emitter it calls o.OnDone at once and
// returns a no-op subscription.
func (e *Emitter[T]) Subscribe(o Observer[T]) Subscription {
	e.check()
	return subscription(e.l.Subscribe(o))
}

// subscription returns s as a [Subscription], [Nop] for nil (a closed
// stream).
func subscription[T any](s *emit.Sub[T]) Subscription {
	if s == nil {
		return Nop()
	}
	return s
}

// Events returns the emitter's stream.
func (e *Emitter[T]) Events() Events[T] { return Events[T]{src: e} }

// HasSubscribers reports whether anybody observes the emitter: emitting to
// an emitter without subscribers costs one branch.
func (e *Emitter[T]) HasSubscribers() bool { return e.l.HasSubscribers() }

// Clear removes every subscriber without completing the stream: their
// subscriptions become inert, and later subscribers are kept as usual. A
// restarting reactor uses it to drop the handlers of its failed incarnation.
func (e *Emitter[T]) Clear() {
	e.check()
	e.l.Clear()
}

// Closed reports whether [Emitter.Close] was called.
func (e *Emitter[T]) Closed() bool { return e.l.Closed() }

// Emit delivers v to every current subscriber. It does nothing after
// [Emitter.Close].
func (e *Emitter[T]) Emit(v T) {
	e.check()
	e.l.Emit(v)
}

// EmitError delivers err to every current subscriber. It does nothing after
// [Emitter.Close].
func (e *Emitter[T]) EmitError(err error) {
	e.check()
	e.l.EmitError(err)
}

// Close completes the stream: every current subscriber's [Observer.OnDone]
// runs once, the subscribers are released, and later calls do nothing.
func (e *Emitter[T]) Close() {
	e.check()
	e.l.Close()
}
