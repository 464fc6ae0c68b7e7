package reactortest_test

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rt "github.com/reactors-go/reactors/reactortest"
)

func TestManualClockOrder(t *testing.T) {
	clk := rt.NewManualClock()
	start := clk.Now()
	require.Equal(t, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), start)
	var fired []string
	at := func(name string) func() {
		return func() { fired = append(fired, name+"@"+clk.Now().Sub(start).String()) }
	}
	clk.AfterFunc(3*time.Second, at("c"))
	clk.AfterFunc(time.Second, at("a"))
	clk.AfterFunc(3*time.Second, at("d")) // same due time as c: after c
	clk.AfterFunc(2*time.Second, at("b"))
	clk.AfterFunc(4*time.Second, at("e"))

	d, ok := clk.Next()
	require.True(t, ok)
	require.Equal(t, time.Second, d)
	require.Equal(t, 5, clk.Pending())

	require.Equal(t, 4, clk.Advance(3*time.Second))
	require.Equal(t, []string{"a@1s", "b@2s", "c@3s", "d@3s"}, fired)
	require.Equal(t, 3*time.Second, clk.Now().Sub(start))
	require.Equal(t, 1, clk.Pending())

	require.Zero(t, clk.Advance(999*time.Millisecond))
	require.Equal(t, 1, clk.Advance(time.Millisecond))
	_, ok = clk.Next()
	require.False(t, ok)
	require.Equal(t, 4*time.Second, clk.Now().Sub(start))
}

func TestManualClockTimersSetByTimers(t *testing.T) {
	clk := rt.NewManualClock()
	start := clk.Now()
	var fired []time.Duration
	var tick func()
	tick = func() {
		fired = append(fired, clk.Now().Sub(start))
		clk.AfterFunc(time.Second, tick)
	}
	clk.AfterFunc(time.Second, tick)
	require.Equal(t, 3, clk.Advance(3500*time.Millisecond))
	require.Equal(t, []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}, fired)
	require.Equal(t, 1, clk.Pending())
	d, _ := clk.Next()
	require.Equal(t, 500*time.Millisecond, d)
}

func TestManualClockDueAtOnce(t *testing.T) {
	clk := rt.NewManualClock()
	start := clk.Now()
	n := 0
	clk.AfterFunc(0, func() { n++ })
	clk.AfterFunc(-time.Second, func() {
		require.Equal(t, start, clk.Now(), "time never goes back")
		n++
	})
	require.Zero(t, n, "AfterFunc never calls f itself")
	d, ok := clk.Next()
	require.True(t, ok)
	require.Zero(t, d)
	require.Equal(t, 2, clk.Advance(0))
	require.Equal(t, 2, n)
	require.Equal(t, start, clk.Now())
}

func TestManualClockStop(t *testing.T) {
	clk := rt.NewManualClock()
	var fired []int
	timers := make([]rt.Timer, 5)
	for i := range timers {
		timers[i] = clk.AfterFunc(time.Duration(i+1)*time.Second, func() { fired = append(fired, i) })
	}
	require.True(t, timers[2].Stop())
	require.False(t, timers[2].Stop(), "second Stop")
	require.True(t, timers[0].Stop())
	require.Equal(t, 3, clk.Pending())
	clk.Advance(4 * time.Second)
	require.Equal(t, []int{1, 3}, fired)
	require.False(t, timers[1].Stop(), "Stop after firing")
	require.True(t, timers[4].Stop())
	clk.Advance(time.Hour)
	require.Equal(t, []int{1, 3}, fired)
}

// TestManualClockStopKeepsOrder stops random timers among many and checks
// that the rest fire in due order.
func TestManualClockStopKeepsOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	clk := rt.NewManualClock()
	type entry struct {
		due time.Duration
		id  int
	}
	var fired, want []entry
	timers := make([]rt.Timer, 2000)
	dues := make([]time.Duration, len(timers))
	for i := range timers {
		dues[i] = time.Duration(r.IntN(500)) * time.Millisecond
		timers[i] = clk.AfterFunc(dues[i], func() { fired = append(fired, entry{dues[i], i}) })
	}
	for i := range timers {
		if r.IntN(3) == 0 {
			require.True(t, timers[i].Stop())
		} else {
			want = append(want, entry{dues[i], i})
		}
	}
	slices.SortStableFunc(want, func(a, b entry) int { return int(a.due - b.due) })
	require.Equal(t, len(want), clk.Pending())
	clk.Advance(time.Second)
	require.Equal(t, want, fired)
}

// TestManualClockConcurrent sets, stops and advances from several
// goroutines at once (run with -race).
func TestManualClockConcurrent(t *testing.T) {
	clk := rt.NewManualClock()
	var mu sync.Mutex
	fired, stopped := 0, 0
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 500 {
				tm := clk.AfterFunc(time.Duration(i%7)*time.Millisecond, func() {
					mu.Lock()
					fired++
					mu.Unlock()
				})
				if (i+g)%5 == 0 && tm.Stop() {
					mu.Lock()
					stopped++
					mu.Unlock()
				}
				_ = clk.Now()
			}
		})
	}
	wg.Go(func() {
		for range 200 {
			clk.Advance(time.Millisecond)
		}
	})
	wg.Wait()
	clk.Advance(time.Hour)
	require.Equal(t, 2000, fired+stopped)
	require.Zero(t, clk.Pending())
}
