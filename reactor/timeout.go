package reactor

import (
	"fmt"
	"time"

	"github.com/reactors-go/reactors/events"
)

// Timeout returns a stream, owned by o, that forwards the events, errors
// and completion of e and fails when e goes silent: once d passes without
// an event of e, counted on o's clock from the subscription and again
// from each event, it emits an error wrapping [ErrTimeout], then completes,
// and unsubscribes e. Errors of e pass through and do not restart the
// count; when e completes first, the result completes and the timer
// stops.
//
// For a stream of one answer (an ask's IVar) this is a deadline for the
// answer; for a longer stream it catches a stall, however long the stream
// lasts. To bound a whole stream instead, without an error, use
// events.Until(e, After(o, d)) (Reactors.IO's idiom).
//
// Unsubscribing the result unsubscribes e and stops the timer. Owner
// only: subscribe to the result from o's constructor or handlers.
//
// Cost: no goroutine; its state per subscription, and a timer ([After], a
// daemon connector of o) per subscription and per event, since each event
// restarts the count: put it on answers and heartbeats rather than on
// streams of many events per d. It panics if d is not positive.
func Timeout[T any](o Owner, e events.Events[T], d time.Duration) events.Events[T] {
	if d <= 0 {
		panic("reactor: Timeout: non-positive duration")
	}
	return events.From[T](&timeoutSource[T]{o: o, e: e, d: d})
}

type timeoutSource[T any] struct {
	o Owner
	e events.Events[T]
	d time.Duration
}

func (s *timeoutSource[T]) Subscribe(down events.Observer[T]) events.Subscription {
	t := &timeout[T]{timeoutSource: s, down: down}
	t.tickObs.Event = t.tick
	t.tickObs.Error = t.abort
	t.arm()
	sub := s.e.Subscribe(t)
	if t.ended {
		sub.Unsubscribe()
	} else {
		t.src = sub
	}
	return t
}

// timeout is the state of one subscription to [Timeout]. Owner only.
type timeout[T any] struct {
	*timeoutSource[T]
	down    events.Observer[T]
	src     events.Subscription
	timer   events.Subscription
	tickObs events.Funcs[struct{}]
	ended   bool // the result completed or was unsubscribed
}

// arm (re)starts the count.
func (t *timeout[T]) arm() {
	t.stopTimer()
	t.timer = After(t.o, t.d).Subscribe(&t.tickObs)
}

func (t *timeout[T]) stopTimer() {
	if t.timer != nil {
		t.timer.Unsubscribe()
		t.timer = nil
	}
}

func (t *timeout[T]) OnEvent(v T) {
	if !t.ended {
		t.arm()
		t.down.OnEvent(v)
	}
}

func (t *timeout[T]) OnError(err error) {
	if !t.ended {
		t.down.OnError(err)
	}
}

func (t *timeout[T]) OnDone() {
	if !t.ended {
		t.ended = true
		t.stopTimer()
		t.down.OnDone()
	}
}

// tick: d passed without an event.
func (t *timeout[T]) tick(struct{}) {
	if !t.ended {
		t.fail(fmt.Errorf("%w: no event for %v", ErrTimeout, t.d))
	}
}

// abort ends the stream with the error of its timer (o has terminated).
func (t *timeout[T]) abort(err error) {
	if !t.ended {
		t.fail(err)
	}
}

func (t *timeout[T]) fail(err error) {
	t.Unsubscribe()
	t.down.OnError(err)
	t.down.OnDone()
}

// Unsubscribe ends the timeout for its subscriber.
func (t *timeout[T]) Unsubscribe() {
	if t.ended {
		return
	}
	t.ended = true
	t.stopTimer()
	if t.src != nil {
		t.src.Unsubscribe()
		t.src = nil
	}
}
