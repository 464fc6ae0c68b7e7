package reactor_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// secs is the interval of these tests: an event v is followed by v
// seconds.
func secs(v int) time.Duration { return time.Duration(v) * time.Second }

func throttled(interval func(int) time.Duration) func(r *reactor.Reactor[func()], e events.Events[int]) events.Events[int] {
	return func(r *reactor.Reactor[func()], e events.Events[int]) events.Events[int] {
		return reactor.Throttle(r, e, interval)
	}
}

// TestThrottleSpacesEvents checks, on virtual time, the gap after each
// event (the Reactors.IO diagram) and that interval runs once per event.
func TestThrottleSpacesEvents(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		calls := 0 // owned by the reactor
		p := newSrc(t, sys, throttled(func(v int) time.Duration { calls++; return secs(v) }))
		p.send(1, 2, 3)
		p.Expect(ev(0, 1), ev(time.Second, 2), ev(3*time.Second, 3))
		p.At(10 * time.Second) // idle: the next event goes at once
		p.send(1)
		p.Expect(ev(10*time.Second, 1))
		p.At(10500 * ms) // within the interval of 1: it waits for its end
		p.send(2)
		p.Expect(ev(11*time.Second, 2))
		p.Quiet()
		p.Do(func() { require.Equal(t, 5, calls) })
		require.True(t, p.sourceSubscribed())
	})
}

// TestThrottleLongQueue keeps a long queue in order while it is refilled.
func TestThrottleLongQueue(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		p := newSrc(t, sys, throttled(func(int) time.Duration { return ms }))
		var first, second []int
		for i := range 100 {
			first = append(first, i)
			second = append(second, 100+i)
		}
		p.send(first...)
		p.At(40 * ms)
		p.send(second...)
		for i := range 200 {
			p.Expect(ev(time.Duration(i)*ms, i))
		}
		p.Quiet()
	})
}

// TestThrottleDrainsOnDone: the queue is emitted on schedule after the
// source completes; done follows the last event without its interval.
func TestThrottleDrainsOnDone(t *testing.T) {
	t.Run("queued", func(t *testing.T) {
		reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
			p := newSrc(t, sys, throttled(secs))
			p.send(2, 2)
			p.close()
			p.Expect(ev(0, 2), ev(2*time.Second, 2), doneAt(2*time.Second))
			p.Quiet()
		})
	})
	t.Run("during an interval", func(t *testing.T) {
		reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
			p := newSrc(t, sys, throttled(secs))
			p.send(5)
			p.At(time.Second)
			p.close()
			p.Expect(ev(0, 5), doneAt(time.Second))
			p.Quiet()
		})
	})
}

func TestThrottleErrorsPassAtOnce(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		p := newSrc(t, sys, throttled(secs))
		p.send(1, 1)
		p.fail(errBoom)
		p.Expect(ev(0, 1), errAt(0), ev(time.Second, 1))
		p.Quiet()
	})
}

// TestThrottleUnsubscribe drops the queue and the timer.
func TestThrottleUnsubscribe(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		p := newSrc(t, sys, throttled(secs))
		p.send(1, 1, 1)
		p.At(500 * ms)
		p.Unsubscribe()
		p.Expect(ev(0, 1))
		require.False(t, p.sourceSubscribed())
		p.Quiet()
	})
}

func TestThrottleNonPositiveInterval(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
			p := newSrc(t, sys, throttled(func(int) time.Duration { return d }))
			p.send(1, 2, 3)
			p.Expect(ev(0, 1), ev(0, 2), ev(0, 3))
			p.Quiet()
		})
	}
}

// TestThrottleReentrant: an event the source emits while the throttle is
// emitting queues behind it.
func TestThrottleReentrant(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    time.Duration
	}{{"spaced", time.Second}, {"at once", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
				p := &srcProbe{src: new(events.Emitter[int])}
				p.Stream = reactortest.NewStream(t, sys, func(_ *reactortest.Stream[int], r *reactor.Reactor[func()]) events.Events[int] {
					th := reactor.Throttle(r, p.src.Events(), func(int) time.Duration { return tc.d })
					return events.Map(th, func(v int) int {
						if v < 3 {
							p.src.Emit(v + 1) // re-enters the throttle
						}
						return v
					})
				})
				p.send(1)
				p.Expect(ev(0, 1), ev(tc.d, 2), ev(2*tc.d, 3))
				p.Quiet()
			})
		})
	}
}

func TestThrottlePanicsOnNil(t *testing.T) {
	require.PanicsWithValue(t, "reactor: Throttle: nil interval", func() {
		reactor.Throttle[int](nil, events.Events[int]{}, nil)
	})
}
