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
//
// A List is three words whatever T, because every connector of every
// reactor holds one: the first subscriber inline, and a pointer to the
// others, allocated with the second subscriber. The inline slot also
// keeps the list's state, as one of two markers that observe nothing:
// [gone] once its subscriber was removed (the slot is never reused, so
// an old handle cannot remove a newer subscriber; [List.Reopen] keeps
// that true across a reopening), [ended] once the list is closed.
type List[T any] struct {
	one  Sub[T]     // the first subscriber: nil (never used), a marker, or an observer
	more *others[T] // later subscribers; nil until the second one
}

// others are the subscribers after the inline one.
type others[T any] struct {
	subs     []*Sub[T] // in subscription order; removed ones hold gone
	emitting int32     // depth of emissions iterating subs
}

// gone marks a removed subscriber, ended the inline slot of a closed
// list. Both observe nothing, so an emission may call them; they differ
// only in type.
type (
	gone[T any]  struct{}
	ended[T any] struct{ gone[T] }
)

func (gone[T]) OnEvent(T)     {}
func (gone[T]) OnError(error) {}
func (gone[T]) OnDone()       {}

// live reports whether o is an observer rather than nil or a marker.
func live[T any](o Observer[T]) bool {
	switch o.(type) {
	case nil, gone[T], ended[T]:
		return false
	}
	return true
}

// Sub is a subscription.
type Sub[T any] struct {
	o Observer[T]
}

// Unsubscribe removes the observer; the list skips removed entries and
// drops them when it next grows. It does nothing on a closed list.
func (s *Sub[T]) Unsubscribe() {
	if _, done := s.o.(ended[T]); !done {
		s.o = gone[T]{}
	}
}

// Subscribe adds o and returns its subscription. On a closed list it
// calls o.OnDone at once and returns nil.
func (l *List[T]) Subscribe(o Observer[T]) *Sub[T] {
	if o == nil {
		o = gone[T]{} // observes nothing, and takes its place as any other
	}
	switch l.one.o.(type) {
	case ended[T]:
		o.OnDone()
		return nil
	case nil:
		l.one.o = o
		return &l.one
	}
	if l.more == nil {
		l.more = new(others[T])
	}
	m := l.more
	if len(m.subs) == cap(m.subs) && m.emitting == 0 {
		m.compact() // about to grow: drop removed entries first
	}
	s := &Sub[T]{o: o}
	m.subs = append(m.subs, s)
	return s
}

func (m *others[T]) compact() {
	kept := m.subs[:0]
	for _, s := range m.subs {
		if live(s.o) {
			kept = append(kept, s)
		}
	}
	clear(m.subs[len(kept):])
	m.subs = kept
}

// HasSubscribers reports whether anybody observes the list.
func (l *List[T]) HasSubscribers() bool {
	if live(l.one.o) {
		return true
	}
	if l.more != nil {
		for _, s := range l.more.subs {
			if live(s.o) {
				return true
			}
		}
	}
	return false
}

// Clear removes every subscriber without completing: their
// subscriptions become inert, later subscribers are kept as usual.
func (l *List[T]) Clear() {
	if live(l.one.o) {
		l.one.o = gone[T]{}
	}
	if m := l.more; m != nil {
		for _, s := range m.subs {
			s.Unsubscribe()
		}
		if m.emitting == 0 {
			m.compact()
		}
	}
}

// Reopen makes l an open list without subscribers whose inline slot is
// spent, as if its first subscriber had been removed. A restarting
// reactor's main stream is reopened this way: a handle to the closed
// list's inline slot may still be held, and that slot is the new list's.
func (l *List[T]) Reopen() {
	*l = List[T]{one: Sub[T]{o: gone[T]{}}}
}

// Hold puts o in the inline slot of a list that has never had a
// subscriber, where it stays until [List.Release] and counts as a
// subscriber meanwhile. The runtime keeps a reactor's body there until
// its constructor runs (nothing can subscribe before that), so that the
// body needs no field of its own.
func (l *List[T]) Hold(o Observer[T]) {
	if l.one.o != nil {
		panic("emit: Hold on a list that had a subscriber")
	}
	l.one.o = o
}

// Release empties the inline slot filled by [List.Hold] and returns what
// it held. On a list closed since, it returns nil and leaves the list
// closed.
func (l *List[T]) Release() Observer[T] {
	o := l.one.o
	if !live(o) {
		return nil
	}
	l.one.o = nil
	return o
}

// Closed reports whether [List.Close] was called.
func (l *List[T]) Closed() bool {
	_, done := l.one.o.(ended[T])
	return done
}

// Emit delivers v to every current subscriber; subscribers added during
// the emission miss v. It reports whether anybody observed v: false with
// no subscriber, and after [List.Close].
func (l *List[T]) Emit(v T) bool {
	if l.more == nil {
		// The common case: one handler. A marker in the slot is no
		// subscriber.
		if o := l.one.o; live(o) {
			o.OnEvent(v)
			return true
		}
		return false
	}
	if l.Closed() {
		return false // being closed: an OnDone emits
	}
	seen := false
	m := l.more
	m.emitting++
	defer l.endEmit(m)
	n := len(m.subs) // subscribers added from now on miss this event
	if o := l.one.o; live(o) {
		o.OnEvent(v)
		seen = true
	}
	for i := 0; i < n; i++ {
		if o := m.subs[i].o; live(o) {
			o.OnEvent(v)
			seen = true
		}
	}
	return seen
}

// EmitError delivers err to every current subscriber. It does nothing
// after [List.Close].
func (l *List[T]) EmitError(err error) {
	if l.Closed() {
		return
	}
	m := l.more
	n := 0
	if m != nil {
		m.emitting++
		defer l.endEmit(m)
		n = len(m.subs)
	}
	if o := l.one.o; live(o) {
		o.OnError(err)
	}
	for i := 0; i < n; i++ {
		if o := m.subs[i].o; live(o) {
			o.OnError(err)
		}
	}
}

// Close completes the list: every current subscriber's [Observer.OnDone] runs
// once, the subscribers are released, and later calls do nothing. If an
// OnDone panics, the other subscribers are still told, then the panic goes
// on.
func (l *List[T]) Close() {
	if l.Closed() {
		return
	}
	o := l.one.o
	l.one.o = ended[T]{}
	m := l.more
	if m == nil {
		if live(o) {
			o.OnDone()
		}
		return
	}
	m.emitting++
	defer l.endEmit(m)
	tellDone(o, m.subs[:len(m.subs):len(m.subs)])
}

// tellDone calls [Observer.OnDone] of first, if it is one, and of every
// observer in subs, each at most once (an entry is cleared before its
// call). If one panics, the others are still told, then the panic goes
// on: completion reaches every subscriber even when one of them fails,
// and the failure still reaches the caller (a reactor's failure
// handling).
func tellDone[T any](first Observer[T], subs []*Sub[T]) {
	defer func() {
		if v := recover(); v != nil {
			tellDone(nil, subs)
			panic(v)
		}
	}()
	if live(first) {
		first.OnDone()
	}
	for _, s := range subs {
		if o := s.o; live(o) {
			s.o = gone[T]{}
			o.OnDone()
		}
	}
}

func (l *List[T]) endEmit(m *others[T]) {
	m.emitting--
	if m.emitting == 0 && l.Closed() {
		l.more = nil
	}
}
