package events

// Emitter is an imperative event source: Emit, EmitError and Close push to
// its subscribers.
//
// The zero value is an open emitter with no subscribers. An Emitter must not
// be copied after first use, and, like every stream, is used by one
// goroutine (its reactor) only.
type Emitter[T any] struct {
	one      sub[T]    // the first subscriber lives inline: no allocation
	more     []*sub[T] // later subscribers, in subscription order
	emitting int32     // depth of Emit/EmitError/Close calls in progress
	done     bool
	dirty    bool // more holds removed subscribers, to compact after emission
}

type sub[T any] struct {
	e      *Emitter[T]
	o      Observer[T]
	active bool
}

// Unsubscribe removes the observer. The inline slot is never reused, so an
// old handle cannot remove a newer subscriber.
func (s *sub[T]) Unsubscribe() {
	if !s.active {
		return
	}
	s.active = false
	s.o = nil
	if s != &s.e.one {
		s.e.dirty = true
		s.e.compact()
	}
}

func (e *Emitter[T]) compact() {
	if e.emitting > 0 || !e.dirty {
		return
	}
	e.dirty = false
	kept := e.more[:0]
	for _, s := range e.more {
		if s.active {
			kept = append(kept, s)
		}
	}
	clear(e.more[len(kept):])
	e.more = kept
}

// Subscribe adds o. On a closed emitter it calls o.OnDone at once and
// returns a no-op subscription.
func (e *Emitter[T]) Subscribe(o Observer[T]) Subscription {
	if e.done {
		o.OnDone()
		return Nop()
	}
	if e.one.e == nil {
		e.one = sub[T]{e: e, o: o, active: true}
		return &e.one
	}
	s := &sub[T]{e: e, o: o, active: true}
	e.more = append(e.more, s)
	return s
}

// Events returns the emitter's stream.
func (e *Emitter[T]) Events() Events[T] { return Events[T]{src: e} }

// HasSubscribers reports whether anybody observes the emitter: emitting to
// an emitter without subscribers costs one branch.
func (e *Emitter[T]) HasSubscribers() bool {
	if e.one.active {
		return true
	}
	for _, s := range e.more {
		if s.active {
			return true
		}
	}
	return false
}

// Clear removes every subscriber without completing the stream: their
// subscriptions become inert, and later subscribers are kept as usual. A
// restarting reactor uses it to drop the handlers of its failed incarnation.
func (e *Emitter[T]) Clear() {
	e.one.active, e.one.o = false, nil
	for _, s := range e.more {
		s.active, s.o = false, nil
	}
	e.dirty = true
	e.compact()
}

// Closed reports whether Close was called.
func (e *Emitter[T]) Closed() bool { return e.done }

// Emit delivers v to every current subscriber. It does nothing after Close.
func (e *Emitter[T]) Emit(v T) {
	if e.done {
		return
	}
	if e.one.active && len(e.more) == 0 {
		e.one.o.OnEvent(v) // the common case: one handler
		return
	}
	e.emitting++
	defer e.endEmit()
	n := len(e.more) // subscribers added from now on miss this event
	if e.one.active {
		e.one.o.OnEvent(v)
	}
	for i := 0; i < n; i++ {
		if s := e.more[i]; s.active {
			s.o.OnEvent(v)
		}
	}
}

// EmitError delivers err to every current subscriber. It does nothing after
// Close.
func (e *Emitter[T]) EmitError(err error) {
	if e.done {
		return
	}
	e.emitting++
	defer e.endEmit()
	n := len(e.more) // subscribers added from now on miss this event
	if e.one.active {
		e.one.o.OnError(err)
	}
	for i := 0; i < n; i++ {
		if s := e.more[i]; s.active {
			s.o.OnError(err)
		}
	}
}

// Close completes the stream: every current subscriber's OnDone runs once,
// the subscribers are released, and later calls do nothing.
func (e *Emitter[T]) Close() {
	if e.done {
		return
	}
	e.done = true
	e.emitting++
	defer e.endEmit()
	n := len(e.more)
	if s := &e.one; s.active {
		o := s.o
		s.active, s.o = false, nil
		o.OnDone()
	}
	for i := 0; i < n; i++ {
		if s := e.more[i]; s.active {
			o := s.o
			s.active, s.o = false, nil
			o.OnDone()
		}
	}
	e.dirty = true
}

func (e *Emitter[T]) endEmit() {
	e.emitting--
	e.compact()
}
