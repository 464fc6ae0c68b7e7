package reactor

import (
	"time"

	"github.com/reactors-go/reactors/events"
)

// Throttle returns a stream, owned by o, of the events of e spaced out in
// time (Reactors.IO's throttle): after it emits an event v it lets
// interval(v) pass, on o's clock, before it emits the next one. An event
// that comes while no interval is running is emitted at once; the others
// wait in a queue and leave it in order. interval is called once per
// event, just before the event is emitted; a non-positive interval lets
// the next event through at once.
//
// The queue is unbounded: a source that stays faster than the intervals
// makes it grow without limit, so throttle bursts that calm down, and
// bound or thin out a source that may not (a bounded mailbox upstream,
// [Debounce] or [Window]).
//
// Errors of e pass through at once, ahead of the queued events. When e
// completes, the queued events are still emitted on schedule and the
// result completes right after the last of them, without waiting for its
// interval (at once if none is queued). Unsubscribing drops the queue,
// unsubscribes e and stops the timer.
//
// Owner only: subscribe to the result from o's constructor or handlers.
// Cost: no goroutine; per subscription its state and the queue (one slot
// per waiting event, grown by doubling); per emitted event with a
// positive interval a timer ([After], a daemon connector of o). It panics
// if interval is nil.
func Throttle[T any](o Owner, e events.Events[T], interval func(T) time.Duration) events.Events[T] {
	if interval == nil {
		panic("reactor: Throttle: nil interval")
	}
	return events.From[T](&throttleSource[T]{o: o, e: e, interval: interval})
}

type throttleSource[T any] struct {
	o        Owner
	e        events.Events[T]
	interval func(T) time.Duration
}

func (s *throttleSource[T]) Subscribe(down events.Observer[T]) events.Subscription {
	t := &throttle[T]{throttleSource: s, down: down}
	t.tickObs.Event = t.tick
	t.tickObs.Error = t.abort
	sub := s.e.Subscribe(t)
	if t.ended || t.srcDone {
		sub.Unsubscribe()
	} else {
		t.src = sub
	}
	return t
}

// throttle is the state of one subscription to [Throttle]. Owner only.
type throttle[T any] struct {
	*throttleSource[T]
	down    events.Observer[T]
	src     events.Subscription // nil once e completed
	q       []T                 // the waiting events are q[head:]
	head    int
	timer   events.Subscription
	tickObs events.Funcs[struct{}]
	waiting bool // an interval is running
	busy    bool // pump is emitting: a re-entrant event only queues
	srcDone bool // e completed
	ended   bool // the result completed or was unsubscribed
}

func (t *throttle[T]) OnEvent(v T) {
	if t.ended || t.srcDone {
		return
	}
	t.q = append(t.q, v)
	t.pump()
}

func (t *throttle[T]) OnError(err error) {
	if !t.ended {
		t.down.OnError(err)
	}
}

func (t *throttle[T]) OnDone() {
	if t.ended || t.srcDone {
		return
	}
	t.srcDone = true
	t.src = nil
	if !t.busy && t.head == len(t.q) {
		t.finish()
	}
}

// pump emits the queued events while no interval runs.
func (t *throttle[T]) pump() {
	if t.busy || t.waiting {
		return
	}
	t.busy = true
	for !t.ended && !t.waiting && t.head < len(t.q) {
		v := t.pop()
		d := t.interval(v)
		t.down.OnEvent(v) // events that come meanwhile only queue: busy
		if d > 0 && !t.ended {
			t.waiting = true
			t.timer = After(t.o, d).Subscribe(&t.tickObs)
		}
	}
	t.busy = false
	if !t.ended && t.srcDone && t.head == len(t.q) {
		t.finish()
	}
}

// pop takes the oldest queued event, releasing its slot.
func (t *throttle[T]) pop() T {
	var zero T
	v := t.q[t.head]
	t.q[t.head] = zero
	t.head++
	switch {
	case t.head == len(t.q):
		t.q, t.head = t.q[:0], 0
	case t.head >= 32 && t.head*2 >= len(t.q): // move the rest to the front
		n := copy(t.q, t.q[t.head:])
		clear(t.q[n:])
		t.q, t.head = t.q[:n], 0
	}
	return v
}

// tick ends the running interval.
func (t *throttle[T]) tick(struct{}) {
	if !t.ended {
		t.waiting = false
		t.pump()
	}
}

// abort ends the stream with the error of its timer (o has terminated).
func (t *throttle[T]) abort(err error) {
	if !t.ended {
		t.Unsubscribe()
		t.down.OnError(err)
		t.down.OnDone()
	}
}

func (t *throttle[T]) finish() {
	t.end()
	t.down.OnDone()
}

func (t *throttle[T]) end() {
	t.ended = true
	if t.timer != nil {
		t.timer.Unsubscribe()
		t.timer = nil
	}
	clear(t.q)
	t.q, t.head = nil, 0
}

// Unsubscribe ends the throttle for its subscriber.
func (t *throttle[T]) Unsubscribe() {
	if t.ended {
		return
	}
	t.end()
	if t.src != nil {
		t.src.Unsubscribe()
		t.src = nil
	}
}
