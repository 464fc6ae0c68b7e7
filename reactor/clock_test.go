package reactor_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// The clock tests run in a synctest bubble (reactortest.InBubble): time is
// virtual and advances only when every goroutine of the bubble is blocked,
// so they are exact and fast.

func TestAfter(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		fired := make(chan time.Time, 1)
		start := time.Now()
		_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			reactor.After(r, 3*time.Second).OnEventOrDone(
				func(struct{}) { fired <- time.Now() },
				func() { r.Main().Seal() },
			)
		})
		require.NoError(t, err)
		require.Equal(t, 3*time.Second, (<-fired).Sub(start))
	})
}

func TestPeriodicAndUnsubscribe(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		ticks := make(chan int64, 10)
		start := time.Now()
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			var sub interface{ Unsubscribe() }
			sub = reactor.Periodic(r, time.Second).OnEvent(func(n int64) {
				ticks <- n
				if n == 3 {
					sub.Unsubscribe()
					r.Main().Seal()
				}
			})
		})
		require.NoError(t, err)
		require.Equal(t, int64(1), <-ticks)
		require.Equal(t, int64(2), <-ticks)
		require.Equal(t, int64(3), <-ticks)
		<-ch.Done()
		require.Equal(t, 3*time.Second, time.Since(start))
		synctest.Wait()
		require.Empty(t, ticks)
	})
}

func TestCountdown(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		got := make(chan []int, 1)
		_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			var seen []int
			reactor.Countdown(r, 3, 10*time.Millisecond).OnEventOrDone(
				func(n int) { seen = append(seen, n) },
				func() { got <- seen; r.Main().Seal() },
			)
		})
		require.NoError(t, err)
		require.Equal(t, []int{2, 1, 0}, <-got)
	})
}

// TestTimersStopWhenReactorEnds checks that a periodic timer of a reactor
// that terminates (or is shut down) fires no more and leaves nothing
// running: the bubble would not finish otherwise.
func TestTimersStopWhenReactorEnds(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		ticks := make(chan int64, 100)
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			reactor.Periodic(r, time.Second).OnEvent(func(n int64) { ticks <- n })
			r.Main().Events().OnEvent(func(int) { r.Main().Seal() })
		})
		require.NoError(t, err)
		require.Equal(t, int64(1), <-ticks)
		require.NoError(t, ch.Send(0))
		<-ch.Done()
		time.Sleep(10 * time.Second) // virtual time: no tick may come
		require.Empty(t, ticks)
		require.Zero(t, sys.DeadLetterCount())
	})
}
