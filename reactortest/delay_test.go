package reactortest_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rt "github.com/reactors-go/reactors/reactortest"
)

// arrival is an event and the clock time it reached the target.
type arrival struct {
	v  int
	at time.Duration // since the clock's start
}

// timedSink records arrivals on a manual clock.
type timedSink struct {
	clk   *rt.ManualClock
	start time.Time
	mu    sync.Mutex
	got   []arrival
}

func newTimedSink(clk *rt.ManualClock) *timedSink { return &timedSink{clk: clk, start: clk.Now()} }

func (s *timedSink) Send(v int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, arrival{v, s.clk.Now().Sub(s.start)})
	return nil
}

func (s *timedSink) Name() string { return "timed" }

func (s *timedSink) arrivals() []arrival {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]arrival(nil), s.got...)
}

func TestDelay(t *testing.T) {
	clk := rt.NewManualClock()
	sink := newTimedSink(clk)
	f := rt.NewFaulty(sink, rt.Delay(time.Second), rt.WithClock(clk))
	for i := range 3 {
		require.NoError(t, f.Send(i))
	}
	clk.Advance(500 * time.Millisecond)
	require.NoError(t, f.Send(3))
	require.Equal(t, 1, clk.Pending(), "one timer per stage")
	require.Equal(t, rt.Stats{Sent: 4, Delayed: 4, Pending: 4}, f.Stats())

	clk.Advance(time.Second - 500*time.Millisecond - 1)
	require.Empty(t, sink.arrivals())
	clk.Advance(1)
	require.Equal(t, []arrival{{0, time.Second}, {1, time.Second}, {2, time.Second}}, sink.arrivals())
	clk.Advance(500 * time.Millisecond)
	require.Equal(t, arrival{3, 1500 * time.Millisecond}, sink.arrivals()[3])
	require.Zero(t, clk.Pending())
	st := f.Stats()
	requireBalanced(t, st)
	require.Equal(t, uint64(4), st.Delivered)
}

func TestJitter(t *testing.T) {
	const n, limit = 10000, 50 * time.Millisecond
	clk := rt.NewManualClock()
	sink := newTimedSink(clk)
	f := rt.NewFaulty(sink, rt.Jitter(limit, 9), rt.WithClock(clk))
	sent := make([]time.Duration, n)
	for i := range n {
		sent[i] = clk.Now().Sub(sink.start)
		require.NoError(t, f.Send(i))
		clk.Advance(time.Millisecond)
	}
	clk.Advance(limit)
	got := sink.arrivals()
	require.Len(t, got, n)
	overtaken := 0
	for i, a := range got {
		d := a.at - sent[a.v]
		require.True(t, d >= 0 && d < limit, "event %d delayed %v", a.v, d)
		if i > 0 && a.v < got[i-1].v {
			overtaken++
		}
		if i > 0 {
			require.GreaterOrEqual(t, a.at, got[i-1].at, "arrivals in time order")
		}
	}
	require.Greater(t, overtaken, n/10)
	require.Zero(t, clk.Pending())
}

// TestEarlierDelayRearms checks that an event due before the one the
// stage's timer waits for re-arms the timer.
func TestEarlierDelayRearms(t *testing.T) {
	clk := rt.NewManualClock()
	sink := newTimedSink(clk)
	s := decide(map[uint64]rt.Decision{0: {Delay: 10 * time.Second}, 1: {Delay: time.Second}, 2: {Delay: 5 * time.Second}})
	f := rt.NewFaulty(sink, s, rt.WithClock(clk))
	for i := range 3 {
		require.NoError(t, f.Send(i))
	}
	require.Equal(t, 1, clk.Pending(), "the old timer is stopped")
	clk.Advance(time.Minute)
	require.Equal(t, []arrival{{1, time.Second}, {2, 5 * time.Second}, {0, 10 * time.Second}}, sink.arrivals())
}

func TestFlushDeliversDelayedInDueOrder(t *testing.T) {
	clk := rt.NewManualClock()
	rec := rt.NewRecorder[int]("sink")
	s := decide(map[uint64]rt.Decision{0: {Delay: 3}, 1: {Delay: 1}, 2: {Delay: 2}, 3: {Delay: 1}})
	f := rt.NewFaulty(rec, s, rt.WithClock(clk))
	for i := range 4 {
		require.NoError(t, f.Send(i))
	}
	f.Flush()
	require.Equal(t, []int{1, 3, 2, 0}, rec.Events())
	require.Zero(t, clk.Pending())
	clk.Advance(time.Hour)
	require.Equal(t, 4, rec.Len())
}

// TestFlushDelayedBeforeHeld checks the order within one stage that both
// delays and holds: delayed events first, then held ones.
func TestFlushDelayedBeforeHeld(t *testing.T) {
	s := decide(map[uint64]rt.Decision{0: {Hold: true}, 1: {Delay: time.Hour}, 2: {Hold: true}, 3: {Delay: time.Minute}})
	got, _ := run(t, s, 4, rt.WithClock(rt.NewManualClock()))
	require.Equal(t, []int{3, 1, 0, 2}, got)
}

// TestFlushGoesThroughLaterStages checks that flushed events meet the
// rest of the script, and that what later stages hold or delay is
// flushed too.
func TestFlushGoesThroughLaterStages(t *testing.T) {
	clk := rt.NewManualClock()
	rec := rt.NewRecorder[int]("sink")
	holdAll := rt.Func(func(uint64, int) rt.Decision { return rt.Decision{Hold: true} })
	dupAll := rt.Func(func(uint64, int) rt.Decision { return rt.Decision{Duplicates: 1} })
	f := rt.NewFaulty(rec, rt.Chain(holdAll, rt.Delay(time.Hour), dupAll, holdAll), rt.WithClock(clk))
	for i := range 3 {
		require.NoError(t, f.Send(i))
	}
	require.Equal(t, 3, f.Stats().Pending)
	f.Flush()
	require.Equal(t, []int{0, 0, 1, 1, 2, 2}, rec.Events())
	st := f.Stats()
	requireBalanced(t, st)
	require.Equal(t, uint64(9), st.Held)
	require.Zero(t, clk.Pending())
}

// lazyClock is a manual clock whose timers cannot be stopped, as when a
// real timer has fired and its function waits for the channel's lock.
type lazyClock struct {
	*rt.ManualClock
	fs []func()
}

type unstoppable struct{}

func (unstoppable) Stop() bool { return false }

func (c *lazyClock) AfterFunc(d time.Duration, f func()) rt.Timer {
	c.fs = append(c.fs, f)
	c.ManualClock.AfterFunc(d, f)
	return unstoppable{}
}

// TestStaleTimerDoesNothing checks that a timer function that runs after
// Flush, or after its timer was replaced, delivers nothing twice.
func TestStaleTimerDoesNothing(t *testing.T) {
	clk := &lazyClock{ManualClock: rt.NewManualClock()}
	rec := rt.NewRecorder[int]("sink")
	s := decide(map[uint64]rt.Decision{0: {Delay: 10}, 1: {Delay: 5}, 3: {Delay: 20}})
	f := rt.NewFaulty(rec, s, rt.WithClock(clk))
	require.NoError(t, f.Send(0))
	require.NoError(t, f.Send(1)) // replaces the timer armed for 0
	require.Len(t, clk.fs, 2)
	clk.fs[0]() // the replaced timer fires early: nothing is due for it
	require.Zero(t, rec.Len())
	require.Len(t, clk.fs, 2, "a stale timer arms nothing")
	f.Flush()
	require.Equal(t, []int{1, 0}, rec.Events())
	clk.Advance(time.Hour) // both stale timers fire
	require.NoError(t, f.Send(2))
	require.NoError(t, f.Send(3))
	require.Len(t, clk.fs, 3)
	clk.fs[1]() // stale again
	require.Equal(t, []int{1, 0, 2}, rec.Events())
	require.Len(t, clk.fs, 3, "a stale timer arms nothing")
	clk.Advance(20)
	require.Equal(t, []int{1, 0, 2, 3}, rec.Events())
}
