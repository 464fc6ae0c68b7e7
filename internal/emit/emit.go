// Package emit is the subscriber list behind event emitters: the inline
// first subscriber, later ones in subscription order, removal during an
// emission, completion. It checks nothing: events.Emitter adds the
// ownership check for every use, and the runtime's connectors, whose
// deliveries only ever run in their owner's turn, check ownership where
// a stream is handed out and subscribed to instead of on every event.
package emit

// Observer is events.Observer: the runtime and package events pass
// their observers here unchanged.
type Observer[T any] interface {
	OnEvent(v T)
	OnError(err error)
	OnDone()
}

// List is a list of subscribers. The zero value is an open list with no
// subscribers. A List must not be copied after first use, and is used by
// one goroutine at a time (its owner's).
type List[T any] struct {
	one      Sub[T]    // the first subscriber lives inline: no allocation
	more     []*Sub[T] // later subscribers, in subscription order; nil o: removed
	emitting int32     // depth of Emit/EmitError/Close calls in progress
	oneUsed  bool      // the inline slot has been taken once (it is never reused)
	done     bool
}

// Sub is a subscription. A nil o means unsubscribed. The inline slot is
// never reused, so an old handle cannot remove a newer subscriber.
type Sub[T any] struct {
	o Observer[T]
}

// Unsubscribe removes the observer; the list skips removed entries and
// drops them when it next grows.
func (s *Sub[T]) Unsubscribe() { s.o = nil }

// Subscribe adds o and returns its subscription. On a closed list it
// calls o.OnDone at once and returns nil.
func (l *List[T]) Subscribe(o Observer[T]) *Sub[T] {
	if l.done {
		o.OnDone()
		return nil
	}
	if !l.oneUsed {
		l.oneUsed = true
		l.one.o = o
		return &l.one
	}
	if len(l.more) == cap(l.more) && l.emitting == 0 {
		l.compact() // about to grow: drop removed entries first
	}
	s := &Sub[T]{o: o}
	l.more = append(l.more, s)
	return s
}

func (l *List[T]) compact() {
	kept := l.more[:0]
	for _, s := range l.more {
		if s.o != nil {
			kept = append(kept, s)
		}
	}
	clear(l.more[len(kept):])
	l.more = kept
}

// HasSubscribers reports whether anybody observes the list.
func (l *List[T]) HasSubscribers() bool {
	if l.one.o != nil {
		return true
	}
	for _, s := range l.more {
		if s.o != nil {
			return true
		}
	}
	return false
}

// Clear removes every subscriber without completing: their
// subscriptions become inert, later subscribers are kept as usual.
func (l *List[T]) Clear() {
	l.one.o = nil
	for _, s := range l.more {
		s.o = nil
	}
	if l.emitting == 0 {
		l.compact()
	}
}

// Closed reports whether [List.Close] was called.
func (l *List[T]) Closed() bool { return l.done }

// Emit delivers v to every current subscriber; subscribers added during
// the emission miss v. It does nothing after [List.Close].
func (l *List[T]) Emit(v T) {
	if l.done {
		return
	}
	if len(l.more) == 0 {
		if o := l.one.o; o != nil {
			o.OnEvent(v) // the common case: one handler
		}
		return
	}
	l.emitting++
	defer l.endEmit()
	n := len(l.more) // subscribers added from now on miss this event
	if o := l.one.o; o != nil {
		o.OnEvent(v)
	}
	for i := 0; i < n; i++ {
		if o := l.more[i].o; o != nil {
			o.OnEvent(v)
		}
	}
}

// EmitError delivers err to every current subscriber. It does nothing
// after [List.Close].
func (l *List[T]) EmitError(err error) {
	if l.done {
		return
	}
	l.emitting++
	defer l.endEmit()
	n := len(l.more)
	if o := l.one.o; o != nil {
		o.OnError(err)
	}
	for i := 0; i < n; i++ {
		if o := l.more[i].o; o != nil {
			o.OnError(err)
		}
	}
}

// Close completes the list: every current subscriber's [Observer.OnDone] runs
// once, the subscribers are released, and later calls do nothing. If an
// OnDone panics, the other subscribers are still told, then the panic goes
// on.
func (l *List[T]) Close() {
	if l.done {
		return
	}
	l.done = true
	l.emitting++
	defer l.endEmit()
	l.tellDone(len(l.more))
}

// tellDone calls [Observer.OnDone] of the inline subscriber and of the first n
// others, each at most once (an entry is cleared before its call). If one
// panics, the others are still told, then the panic goes on: completion
// reaches every subscriber even when one of them fails, and the failure
// still reaches the caller (a reactor's failure handling).
func (l *List[T]) tellDone(n int) {
	defer func() {
		if v := recover(); v != nil {
			l.tellDone(n)
			panic(v)
		}
	}()
	if o := l.one.o; o != nil {
		l.one.o = nil
		o.OnDone()
	}
	for i := 0; i < n; i++ {
		if s := l.more[i]; s.o != nil {
			o := s.o
			s.o = nil
			o.OnDone()
		}
	}
}

func (l *List[T]) endEmit() {
	l.emitting--
	if l.emitting == 0 && l.done {
		l.more = nil
	}
}
