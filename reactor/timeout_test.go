package reactor_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

func timedOut(d time.Duration) func(r *reactor.Reactor[func()], e events.Events[int]) events.Events[int] {
	return func(r *reactor.Reactor[func()], e events.Events[int]) events.Events[int] {
		return reactor.Timeout(r, e, d)
	}
}

func TestTimeoutSilentSource(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		p := newSrc(t, sys, timedOut(time.Second))
		err := p.ExpectError(time.Second)
		require.ErrorIs(t, err, reactor.ErrTimeout)
		require.EqualError(t, err, "reactor: timeout: no event for 1s")
		p.Expect(doneAt(time.Second))
		require.False(t, p.sourceSubscribed())
		p.Quiet()
	})
}

// TestTimeoutRestartsAtEachEvent: the count runs from the latest event;
// errors pass through and do not restart it.
func TestTimeoutRestartsAtEachEvent(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		p := newSrc(t, sys, timedOut(time.Second))
		p.At(500 * ms)
		p.send(1)
		p.At(1200 * ms)
		p.send(2)
		p.At(1500 * ms)
		p.fail(errBoom)
		p.Expect(ev(500*ms, 1), ev(1200*ms, 2), errAt(1500*ms))
		require.ErrorIs(t, p.ExpectError(2200*ms), reactor.ErrTimeout)
		p.Expect(doneAt(2200 * ms))
		p.Quiet()
	})
}

func TestTimeoutSourceCompletesFirst(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		p := newSrc(t, sys, timedOut(time.Second))
		p.At(500 * ms)
		p.send(1)
		p.At(700 * ms)
		p.close()
		p.Expect(ev(500*ms, 1), doneAt(700*ms))
		p.Quiet()
	})
}

// TestTimeoutAnswerDuringSubscribe: a completed IVar answers at once and
// leaves no timer running.
func TestTimeoutAnswerDuringSubscribe(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		p := reactortest.NewStream(t, sys, func(_ *reactortest.Stream[int], r *reactor.Reactor[func()]) events.Events[int] {
			var iv events.IVar[int]
			iv.Set(4)
			return reactor.Timeout(r, iv.Events(), time.Second)
		})
		p.Expect(ev(0, 4), doneAt(0))
		p.Quiet()
	})
}

func TestTimeoutUnsubscribe(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		p := newSrc(t, sys, timedOut(time.Second))
		p.At(500 * ms)
		p.Unsubscribe()
		require.False(t, p.sourceSubscribed())
		p.Quiet()
	})
}

// TestTimeoutUnsubscribeInHandler: a subscriber that leaves while an
// event is forwarded stops the timer that event restarted.
func TestTimeoutUnsubscribeInHandler(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		p := newSrc(t, sys, func(r *reactor.Reactor[func()], e events.Events[int]) events.Events[int] {
			return reactor.Timeout(r, e, time.Second).Once()
		})
		p.At(500 * ms)
		p.send(1)
		p.Expect(ev(500*ms, 1), doneAt(500*ms))
		require.False(t, p.sourceSubscribed())
		p.Quiet()
	})
}

func TestTimeoutPanicsOnNonPositive(t *testing.T) {
	for _, d := range []time.Duration{0, -1} {
		require.PanicsWithValue(t, "reactor: Timeout: non-positive duration", func() {
			reactor.Timeout[int](nil, events.Events[int]{}, d)
		})
	}
}
