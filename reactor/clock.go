package reactor

import (
	"time"

	"github.com/reactors-go/reactors/events"
)

// The clock delivers timer events into a reactor as events of a daemon
// connector, so that handlers run inside the reactor like any other. Each
// subscription starts its own timer (the streams are cold); unsubscribing
// stops the timer and closes the connector, and so does the reactor's
// termination. Timers hold no goroutine while they wait.

// After returns a stream that emits once, d after it is subscribed to,
// then completes, as [time.After] does for a goroutine. A d <= 0 has passed
// already: the event comes at one of o's next turns, as with
// [time.AfterFunc]. To fail a stream that goes silent instead, use [Timeout].
func After(o Owner, d time.Duration) events.Events[struct{}] {
	return events.From[struct{}](&clockSource[struct{}]{o: o, d: d, n: 1, value: func(int) struct{} { return struct{}{} }})
}

// Periodic returns a stream that emits 1, 2, 3, ... every d (fixed delay:
// d after the previous tick was sent) until unsubscribed. It panics if d
// is not positive, as [time.NewTicker] does: ticks without delay would keep
// o busy for ever.
func Periodic(o Owner, d time.Duration) events.Events[int64] {
	if d <= 0 {
		panic("reactor: Periodic: non-positive period " + d.String())
	}
	return events.From[int64](&clockSource[int64]{o: o, d: d, forever: true, value: func(i int) int64 { return int64(i) }})
}

// Countdown returns a stream that emits n-1, n-2, ..., 0, one every d,
// then completes. With n <= 0 it emits nothing and completes as soon as
// it is subscribed to. A d <= 0 waits no time between ticks (each comes
// at one of o's next turns).
func Countdown(o Owner, n int, d time.Duration) events.Events[int] {
	return events.From[int](&clockSource[int]{o: o, d: d, n: n, value: func(i int) int { return n - i }})
}

type clockSource[T any] struct {
	o       Owner
	d       time.Duration
	n       int  // ticks before completing, unless forever
	forever bool // Periodic: no last tick
	value   func(tick int) T
}

func (s *clockSource[T]) Subscribe(obs events.Observer[T]) events.Subscription {
	if !s.forever && s.n <= 0 {
		s.o.frame().checkOwner()
		obs.OnDone() // nothing to count down: no connector, no timer
		return events.Nop()
	}
	c, err := Open[T](s.o, Daemon())
	if err != nil {
		obs.OnError(err)
		return events.Nop()
	}
	ch := c.Channel()
	tick := 0
	var t *time.Timer
	// The timer goroutine only sends; the count lives in the owner's
	// handler, which re-arms the timer after each tick.
	c.extra().quiet = true // a tick racing with unsubscription is not a dead letter
	t = time.AfterFunc(s.d, func() { _ = ch.Send(s.value(1)) })
	c.extra().onClose = func() { t.Stop() }
	sub := c.Events().Subscribe(&events.Funcs[T]{
		Event: func(v T) {
			tick++
			obs.OnEvent(v)
			if !s.forever && tick >= s.n {
				c.Seal()
				return
			}
			if !c.Sealed() {
				next := tick
				t = time.AfterFunc(s.d, func() { _ = ch.Send(s.value(next + 1)) })
			}
		},
		Error: obs.OnError,
		Done:  obs.OnDone,
	})
	return events.Composite(sub, events.OnUnsubscribe(func() { c.Seal() }))
}
