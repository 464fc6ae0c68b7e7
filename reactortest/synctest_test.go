package reactortest_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	rt "github.com/reactors-go/reactors/reactortest"
)

// TestDefaultClockInSynctestBubble checks that the default clock's delays
// run on a bubble's virtual time: exact, and without waiting.
func TestDefaultClockInSynctestBubble(t *testing.T) {
	rt.InBubble(t, func(t *testing.T, sys *reactor.System) {
		type arrival struct {
			v  int
			at time.Duration
		}
		start := time.Now()
		rec := rt.NewRecorder[arrival]("sink")
		dst, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			r.Main().Events().OnEvent(func(v int) { _ = rec.Send(arrival{v, time.Since(start)}) })
		})
		require.NoError(t, err)
		f := rt.NewFaulty(dst, rt.Chain(rt.Delay(time.Second), rt.Jitter(time.Second, 1)))
		for i := range 100 {
			require.NoError(t, f.Send(i))
		}
		time.Sleep(time.Second)
		synctest.Wait()
		require.Zero(t, rec.Len(), "nothing is due before 1s")
		require.Equal(t, 100, f.Stats().Pending)

		time.Sleep(time.Second)
		synctest.Wait()
		got := rec.Events()
		require.Len(t, got, 100)
		reordered := false
		for i, a := range got {
			require.True(t, a.at >= time.Second && a.at < 2*time.Second, "event %d at %v", a.v, a.at)
			if i > 0 && a.v < got[i-1].v {
				reordered = true
			}
		}
		require.True(t, reordered)
		require.Zero(t, f.Stats().Pending)
	})
}

// TestFlushInSynctestBubble checks that an event flushed before its delay
// is not delivered again when the delay passes.
func TestFlushInSynctestBubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := rt.NewRecorder[int]("sink")
		f := rt.NewFaulty(rec, rt.Delay(time.Hour))
		require.NoError(t, f.Send(1))
		f.Flush()
		require.Equal(t, []int{1}, rec.Events())
		time.Sleep(2 * time.Hour)
		synctest.Wait()
		require.Equal(t, 1, rec.Len())
	})
}
