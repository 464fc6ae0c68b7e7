package reactor

import (
	"time"

	"github.com/reactors-go/reactors/events"
)

// Time-based stream operators: Debounce and Window here, Throttle
// (throttle.go) and Timeout (timeout.go) beside them. Their timers fire on
// the runtime's timer goroutine but deliver ticks through a daemon
// connector of the owning reactor (Throttle and Timeout take theirs from
// After), so the operators' state is touched only inside the reactor,
// like any handler's. Each subscription has its own timer and connector;
// unsubscribing, the source's completion and the reactor's termination
// stop them. They are cold streams that must be subscribed to from the
// owner's constructor or handlers, and they never block; tests can run
// them on virtual time in a testing/synctest bubble.

// Debounce returns a stream, owned by o, that emits an event of e once d
// has passed without a newer event: of a burst of events closer than d
// together, only the last is emitted, d after it. When e completes, a
// pending event is emitted at once, then done. Errors pass through. It
// buffers one event. With d <= 0 no time must pass: an event is emitted
// at one of o's next turns, unless a newer one came before.
func Debounce[T any](o Owner, e events.Events[T], d time.Duration) events.Events[T] {
	return events.From[T](&timedSource[T, T]{o: o, e: e, d: d, mk: newDebouncer[T]})
}

// Window returns a stream, owned by o, that emits the events of e
// collected over consecutive periods of d (tumbling windows, measured from
// the first event of each window), as one slice per non-empty window. When
// e completes, the open window is emitted at once, then done. Errors pass
// through. It buffers one window of events. With d <= 0 a window closes
// at one of o's next turns after its first event.
func Window[T any](o Owner, e events.Events[T], d time.Duration) events.Events[[]T] {
	return events.From[[]T](&timedSource[T, []T]{o: o, e: e, d: d, mk: newWindower[T]})
}

// timed is the state machine of a time-based operator: what to do with an
// event, a timer tick and the source's end. arm asks for a tick after d,
// replacing any pending one.
type timed[T, U any] interface {
	event(v T, arm func())
	tick(emit func(U))
	flush(emit func(U))
}

type timedSource[T, U any] struct {
	o  Owner
	e  events.Events[T]
	d  time.Duration
	mk func() timed[T, U]
}

func (s *timedSource[T, U]) Subscribe(down events.Observer[U]) events.Subscription {
	c, err := Open[uint64](s.o, Daemon())
	if err != nil {
		down.OnError(err)
		return events.Nop()
	}
	cx := c.extra()
	cx.quiet = true // a tick racing with the end is not a dead letter
	ch := c.Channel()
	m := s.mk()
	var timer *time.Timer
	var gen uint64 // the generation of the tick that counts; older ones are stale
	cx.onClose = func() {
		if timer != nil {
			timer.Stop()
		}
	}
	arm := func() {
		gen++
		g := gen
		if timer != nil {
			timer.Stop()
		}
		timer = time.AfterFunc(s.d, func() { _ = ch.Send(g) })
	}
	ended := false
	tickSub := c.Events().OnEvent(func(g uint64) {
		if g == gen && !ended {
			m.tick(down.OnEvent)
		}
	})
	srcSub := s.e.Subscribe(&events.Funcs[T]{
		Event: func(v T) {
			if !ended {
				m.event(v, arm)
			}
		},
		Error: down.OnError,
		Done: func() {
			if ended {
				return
			}
			ended = true
			m.flush(down.OnEvent)
			c.Seal()
			down.OnDone()
		},
	})
	return events.Composite(srcSub, tickSub, events.OnUnsubscribe(func() {
		ended = true
		c.Seal()
	}))
}

type debouncer[T any] struct {
	last T
	has  bool
}

func newDebouncer[T any]() timed[T, T] { return &debouncer[T]{} }

func (b *debouncer[T]) event(v T, arm func()) {
	b.last, b.has = v, true
	arm()
}

func (b *debouncer[T]) tick(emit func(T)) { b.flush(emit) }

func (b *debouncer[T]) flush(emit func(T)) {
	if b.has {
		var zero T
		v := b.last
		b.last, b.has = zero, false
		emit(v)
	}
}

type windower[T any] struct{ buf []T }

func newWindower[T any]() timed[T, []T] { return &windower[T]{} }

func (w *windower[T]) event(v T, arm func()) {
	if len(w.buf) == 0 {
		arm() // the window opens with its first event
	}
	w.buf = append(w.buf, v)
}

func (w *windower[T]) tick(emit func([]T)) { w.flush(emit) }

func (w *windower[T]) flush(emit func([]T)) {
	if len(w.buf) > 0 {
		out := w.buf
		w.buf = nil
		emit(out)
	}
}
