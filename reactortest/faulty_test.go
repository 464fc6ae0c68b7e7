package reactortest_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	rt "github.com/reactors-go/reactors/reactortest"
)

func TestChannelAndName(t *testing.T) {
	rec := rt.NewRecorder[int]("sink")
	f := rt.NewFaulty(rec, rt.Drop(0.5, 1))
	require.Equal(t, f.Channel(), f.Channel())
	require.Equal(t, "sink", f.Name())
	require.Equal(t, "sink", f.Channel().Name())
	require.Equal(t, rec.Channel(), rec.Channel())
	require.Equal(t, "sink", rec.Channel().Name())
}

// TestPerSenderFIFO sends from several goroutines at once through the
// scripts that keep per-sender order, and checks each sender's events
// arrive in order, every copy accounted for.
func TestPerSenderFIFO(t *testing.T) {
	const senders, each = 8, 5000
	tests := []struct {
		name   string
		script rt.Script
	}{
		{"drop and duplicate", rt.Chain(rt.Drop(0.1, 1), rt.Duplicate(0.1, 2))},
		{"constant delay", rt.Chain(rt.Drop(0.1, 1), rt.Delay(time.Millisecond))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := rt.NewManualClock()
			rec := rt.NewRecorder[int]("sink")
			f := rt.NewFaulty(rec, tc.script, rt.WithClock(clk))
			ch := f.Channel()
			var wg sync.WaitGroup
			for s := range senders {
				wg.Go(func() {
					for i := range each {
						_ = ch.Send(s*each + i)
						if i%100 == 0 {
							clk.Advance(100 * time.Microsecond)
						}
					}
				})
			}
			wg.Wait()
			clk.Advance(time.Millisecond)
			st := f.Stats()
			requireBalanced(t, st)
			require.Zero(t, st.Pending)
			got := rec.Events()
			require.Len(t, got, int(st.Delivered))
			last := make([]int, senders)
			for i := range last {
				last[i] = -1
			}
			for _, v := range got {
				s, i := v/each, v%each
				require.GreaterOrEqual(t, i, last[s], "sender %d out of order", s)
				last[s] = i
			}
		})
	}
}

// TestConcurrentFaultsLoseNothingUnscripted runs reordering and delaying
// scripts under concurrent senders, timers and flushes: with no Drop,
// every event arrives at least once.
func TestConcurrentFaultsLoseNothingUnscripted(t *testing.T) {
	const senders, each = 4, 5000
	clk := rt.NewManualClock()
	rec := rt.NewRecorder[int]("sink")
	f := rt.NewFaulty(rec, rt.Chain(rt.Duplicate(0.1, 1), rt.Reorder(7, 2), rt.Jitter(time.Millisecond, 3)), rt.WithClock(clk))
	var sending, ticking sync.WaitGroup
	for s := range senders {
		sending.Go(func() {
			for i := range each {
				_ = f.Send(s*each + i)
				if i%1000 == 0 {
					f.Flush()
				}
			}
		})
	}
	done := make(chan struct{})
	ticking.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
				clk.Advance(100 * time.Microsecond)
				requireBalanced(t, f.Stats())
			}
		}
	})
	sending.Wait()
	close(done)
	ticking.Wait()
	f.Flush()
	st := f.Stats()
	requireBalanced(t, st)
	require.Zero(t, st.Pending)
	require.Zero(t, clk.Pending())
	c := counts(rec.Events())
	for v := range senders * each {
		require.Positive(t, c[v], "event %d lost", v)
	}
	require.Equal(t, int(st.Delivered), rec.Len())
}

// echo is a target that, on the first copy of v, sends v+1 back into the
// faulty channel, on the same goroutine, until limit.
type echo struct {
	f     *rt.Faulty[int]
	rec   *rt.Recorder[int]
	next  int
	limit int
}

func (e *echo) Send(v int) error {
	_ = e.rec.Send(v)
	if v == e.next && v < e.limit {
		e.next++
		return e.f.Send(v + 1)
	}
	return nil
}

func (e *echo) Name() string { return "echo" }

// TestTargetMaySendBack checks that a target may send to the faulty
// channel from its Send: the channel does not call it under its lock.
func TestTargetMaySendBack(t *testing.T) {
	e := &echo{rec: rt.NewRecorder[int]("sink"), limit: 1000}
	e.f = rt.NewFaulty[int](e, rt.Duplicate(0.2, 1))
	require.NoError(t, e.f.Send(0))
	got := e.rec.Events()
	require.Equal(t, 1000, got[len(got)-1])
	require.Equal(t, uint64(len(got)), e.f.Stats().Delivered)
	requireBalanced(t, e.f.Stats())
}

// gate is a target that blocks on the events it is told to, until
// opened.
type gate struct {
	rec     *rt.Recorder[int]
	block   int
	entered chan struct{}
	open    chan struct{}
}

func (g *gate) Send(v int) error {
	if v == g.block {
		close(g.entered)
		<-g.open
	}
	return g.rec.Send(v)
}

func (g *gate) Name() string { return "gate" }

// TestFlushWaitsForDeliverer checks that Send does not wait for a sender
// that is delivering, and that Flush does, until its events are handed
// over.
func TestFlushWaitsForDeliverer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := &gate{rec: rt.NewRecorder[int]("sink"), block: 0, entered: make(chan struct{}), open: make(chan struct{})}
		f := rt.NewFaulty[int](g, decide(map[uint64]rt.Decision{2: {Hold: true}}))
		go func() { _ = f.Send(0) }()
		<-g.entered
		require.NoError(t, f.Send(1)) // returns: the blocked sender delivers it later
		require.NoError(t, f.Send(2)) // held
		require.Equal(t, 3, f.Stats().Pending)
		flushed := make(chan struct{})
		go func() {
			f.Flush()
			close(flushed)
		}()
		synctest.Wait()
		select {
		case <-flushed:
			t.Fatal("Flush returned while its events were still queued")
		default:
		}
		close(g.open)
		<-flushed
		require.Equal(t, []int{0, 1, 2}, g.rec.Events())
		require.Zero(t, f.Stats().Pending)
	})
}

// TestTargetErrorsAreCounted checks that refusals of the target are
// counted and kept, not returned, and that the target dead-letters them
// while dropped events are not dead letters.
func TestTargetErrorsAreCounted(t *testing.T) {
	var mu sync.Mutex
	var letters []reactor.DeadLetter
	sys := reactor.New(reactor.WithWorkers(1), reactor.WithDeadLetterHandler(func(d reactor.DeadLetter) {
		mu.Lock()
		letters = append(letters, d)
		mu.Unlock()
	}))
	defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) { r.Main().Seal() })
	})
	require.NoError(t, err)

	lossy := rt.NewFaulty(ch, rt.Drop(1, 1))
	require.NoError(t, lossy.Send(7))
	require.Equal(t, uint64(1), lossy.Stats().Dropped)

	f := rt.NewFaulty(ch, rt.Script{})
	require.NoError(t, f.Send(1))
	<-ch.Done()
	require.NoError(t, f.Send(2))
	require.NoError(t, f.Send(3))
	st := f.Stats()
	require.Equal(t, uint64(3), st.Delivered)
	require.Equal(t, uint64(2), st.Failed)
	require.ErrorIs(t, f.Err(), reactor.ErrTerminated)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, letters, 2, "only the target's refusals are dead letters")
	require.Equal(t, reactor.ReasonTerminated, letters[0].Reason)
	require.Equal(t, 2, letters[0].Event)
}

// flaky is a target that fails with the errors it is given, in turn.
type flaky struct{ errs []error }

func (f *flaky) Send(int) error {
	err := f.errs[0]
	f.errs = f.errs[1:]
	return err
}

func (f *flaky) Name() string { return "flaky" }

func TestErrKeepsTheFirstError(t *testing.T) {
	first, second := errors.New("first"), errors.New("second")
	f := rt.NewFaulty[int](&flaky{errs: []error{nil, first, nil, second}}, rt.Script{})
	require.NoError(t, f.Err())
	for i := range 4 {
		require.NoError(t, f.Send(i), "a faulty channel accepts every event")
	}
	require.Equal(t, first, f.Err())
	require.Equal(t, rt.Stats{Sent: 4, Delivered: 4, Failed: 2}, f.Stats())
}

// TestBetweenReactors runs a faulty link from one reactor to another and
// waits for the deliveries with a recorder.
func TestBetweenReactors(t *testing.T) {
	sys := reactor.New(reactor.WithWorkers(2))
	defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
	rec := rt.NewRecorder[int]("sink")
	dst, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) { _ = rec.Send(v) })
	})
	require.NoError(t, err)
	f := rt.NewFaulty(dst, rt.Chain(rt.Duplicate(0.1, 1), rt.Reorder(4, 2)))
	const n = 10000
	sent := make(chan struct{})
	src, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(n int) {
			for i := range n {
				_ = f.Channel().Send(i)
			}
			close(sent)
		})
	})
	require.NoError(t, err)
	require.NoError(t, src.Send(n))
	<-sent
	f.Flush()
	st := f.Stats()
	require.Equal(t, rt.Stats{Sent: n, Duplicated: st.Duplicated, Held: st.Held, Delivered: st.Delivered}, st)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := rec.WaitN(ctx, int(st.Delivered))
	require.NoError(t, err)
	require.Len(t, got, int(st.Delivered))
	c := counts(got)
	for i := range n {
		require.Positive(t, c[i])
	}
	require.Zero(t, sys.DeadLetterCount())
}
