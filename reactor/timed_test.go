package reactor_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// timedProbe spawns a reactor whose main events feed op, and reports op's
// output (with the virtual time it came at) and its completion. Sending
// -1 completes the source.
func timedProbe[U any](t *testing.T, sys *reactor.System, op func(r *reactor.Reactor[int], e events.Events[int]) events.Events[U]) (reactor.Channel[int], chan U, chan struct{}) {
	out := make(chan U, 100)
	done := make(chan struct{})
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		var src events.Emitter[int]
		r.Main().Events().OnEvent(func(v int) {
			if v < 0 {
				src.Close()
				return
			}
			src.Emit(v)
		})
		op(r, src.Events()).OnEventOrDone(func(u U) { out <- u }, func() {
			close(done)
			r.Main().Seal()
		})
	})
	require.NoError(t, err)
	return ch, out, done
}

func TestDebounce(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		ch, out, done := timedProbe(t, sys, func(r *reactor.Reactor[int], e events.Events[int]) events.Events[int] {
			return reactor.Debounce(r, e, time.Second)
		})
		start := time.Now()
		for _, v := range []int{1, 2, 3} { // a burst: only 3 survives
			require.NoError(t, ch.Send(v))
			time.Sleep(100 * time.Millisecond)
		}
		require.Equal(t, 3, <-out)
		require.Equal(t, 1200*time.Millisecond, time.Since(start)) // 1 s after the last event
		require.NoError(t, ch.Send(4))
		require.NoError(t, ch.Send(-1)) // completion flushes the pending event
		require.Equal(t, 4, <-out)
		<-done
		synctest.Wait()
		require.Empty(t, out)
	})
}

func TestWindow(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		ch, out, done := timedProbe(t, sys, func(r *reactor.Reactor[int], e events.Events[int]) events.Events[[]int] {
			return reactor.Window(r, e, time.Second)
		})
		require.NoError(t, ch.Send(1))
		time.Sleep(500 * time.Millisecond)
		require.NoError(t, ch.Send(2))
		require.Equal(t, []int{1, 2}, <-out) // the window closes 1 s after its first event
		time.Sleep(5 * time.Second)          // no events: no empty windows
		synctest.Wait()
		require.Empty(t, out)
		require.NoError(t, ch.Send(3))
		require.NoError(t, ch.Send(-1))
		require.Equal(t, []int{3}, <-out)
		<-done
	})
}

func TestDebounceUnsubscribeStopsTimer(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		out := make(chan int, 10)
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			var src events.Emitter[int]
			sub := reactor.Debounce(r, src.Events(), time.Second).OnEvent(func(v int) { out <- v })
			r.Main().Events().OnEvent(func(v int) {
				src.Emit(v)
				sub.Unsubscribe()
				r.Main().Seal()
			})
		})
		require.NoError(t, err)
		require.NoError(t, ch.Send(1))
		<-ch.Done()
		time.Sleep(3 * time.Second)
		synctest.Wait()
		require.Empty(t, out)
		require.Zero(t, sys.DeadLetterCount())
	})
}
