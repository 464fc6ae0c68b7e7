package events

import (
	"fmt"

	"github.com/reactors-go/reactors/internal/owner"
)

// Emitter is an imperative event source: Emit, EmitError and Close push to
// its subscribers.
//
// The zero value is an open emitter with no subscribers. An Emitter must not
// be copied after first use. It belongs to the reactor that first uses it
// from a handler or constructor: from then on, Subscribe, Emit, EmitError,
// Close and Clear from any other reactor or goroutine panic with an error
// matching ErrNotOwner (which fails the calling reactor) instead of racing.
// The check costs about 2 ns per call on the goroutine that last passed
// it, about 5 ns after the reactor moved to another worker. An emitter used
// only outside reactors is never bound and never checked.
type Emitter[T any] struct {
	one      sub[T]    // the first subscriber lives inline: no allocation
	more     []*sub[T] // later subscribers, in subscription order; nil o: removed
	owner    uint64    // token of the owning reactor; 0 until bound
	slot     *owner.Slot
	emitting int32 // depth of Emit/EmitError/Close calls in progress
	oneUsed  bool  // the inline slot has been taken once (it is never reused)
	done     bool
}

// sub is a subscription. A nil o means unsubscribed. The inline slot is
// never reused, so an old handle cannot remove a newer subscriber.
type sub[T any] struct {
	o Observer[T]
}

// Unsubscribe removes the observer; the emitter skips removed entries and
// drops them when its subscriber list next grows.
func (s *sub[T]) Unsubscribe() { s.o = nil }

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
	if e.done {
		o.OnDone()
		return Nop()
	}
	if !e.oneUsed {
		e.oneUsed = true
		e.one.o = o
		return &e.one
	}
	if len(e.more) == cap(e.more) && e.emitting == 0 {
		e.compact() // about to grow: drop removed entries first
	}
	s := &sub[T]{o: o}
	e.more = append(e.more, s)
	return s
}

func (e *Emitter[T]) compact() {
	kept := e.more[:0]
	for _, s := range e.more {
		if s.o != nil {
			kept = append(kept, s)
		}
	}
	clear(e.more[len(kept):])
	e.more = kept
}

// Events returns the emitter's stream.
func (e *Emitter[T]) Events() Events[T] { return Events[T]{src: e} }

// HasSubscribers reports whether anybody observes the emitter: emitting to
// an emitter without subscribers costs one branch.
func (e *Emitter[T]) HasSubscribers() bool {
	if e.one.o != nil {
		return true
	}
	for _, s := range e.more {
		if s.o != nil {
			return true
		}
	}
	return false
}

// Clear removes every subscriber without completing the stream: their
// subscriptions become inert, and later subscribers are kept as usual. A
// restarting reactor uses it to drop the handlers of its failed incarnation.
func (e *Emitter[T]) Clear() {
	e.check()
	e.one.o = nil
	for _, s := range e.more {
		s.o = nil
	}
	if e.emitting == 0 {
		e.compact()
	}
}

// Closed reports whether Close was called.
func (e *Emitter[T]) Closed() bool { return e.done }

// Emit delivers v to every current subscriber. It does nothing after Close.
func (e *Emitter[T]) Emit(v T) {
	e.check()
	if e.done {
		return
	}
	if len(e.more) == 0 {
		if o := e.one.o; o != nil {
			o.OnEvent(v) // the common case: one handler
		}
		return
	}
	e.emitting++
	defer e.endEmit()
	n := len(e.more) // subscribers added from now on miss this event
	if o := e.one.o; o != nil {
		o.OnEvent(v)
	}
	for i := 0; i < n; i++ {
		if o := e.more[i].o; o != nil {
			o.OnEvent(v)
		}
	}
}

// EmitError delivers err to every current subscriber. It does nothing after
// Close.
func (e *Emitter[T]) EmitError(err error) {
	e.check()
	if e.done {
		return
	}
	e.emitting++
	defer e.endEmit()
	n := len(e.more)
	if o := e.one.o; o != nil {
		o.OnError(err)
	}
	for i := 0; i < n; i++ {
		if o := e.more[i].o; o != nil {
			o.OnError(err)
		}
	}
}

// Close completes the stream: every current subscriber's OnDone runs once,
// the subscribers are released, and later calls do nothing.
func (e *Emitter[T]) Close() {
	e.check()
	if e.done {
		return
	}
	e.done = true
	e.emitting++
	defer e.endEmit()
	n := len(e.more)
	if o := e.one.o; o != nil {
		e.one.o = nil
		o.OnDone()
	}
	for i := 0; i < n; i++ {
		if s := e.more[i]; s.o != nil {
			o := s.o
			s.o = nil
			o.OnDone()
		}
	}
}

func (e *Emitter[T]) endEmit() {
	e.emitting--
	if e.emitting == 0 && e.done {
		e.more = nil
	}
}
