package reactor_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// turnLog records what Turn hooks are told.
type turnLog struct {
	turns  atomic.Int64
	events atomic.Int64
	bad    atomic.Int64 // calls with a negative duration or event count
}

func (l *turnLog) hook(d time.Duration, events int) {
	if d < 0 || events < 0 {
		l.bad.Add(1)
	}
	l.turns.Add(1)
	l.events.Add(int64(events))
}

// countTo spawns a reactor that handles n ints, signalling done after
// the last, then seals its main connector.
func countTo(t *testing.T, sys *reactor.System, n int, done chan<- struct{}) reactor.Channel[int] {
	t.Helper()
	seen := 0
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) {
			seen++
			if seen == n {
				r.Main().Seal()
				done <- struct{}{}
			}
		})
	})
	require.NoError(t, err)
	return ch
}

// TestTurnHooksSeeEveryTurnAtSampleOne counts, with every turn sampled,
// the events the Turn hook is told of: exactly the events handled.
func TestTurnHooksSeeEveryTurnAtSampleOne(t *testing.T) {
	sys := reactor.New(reactor.WithLogger(zerolog.Nop()), reactor.WithHookSample(1))
	var log turnLog
	sys.AddHooks(reactor.Hooks{Turn: log.hook})
	const n = 1000
	done := make(chan struct{}, 2)
	a, b := countTo(t, sys, n, done), countTo(t, sys, n, done)
	for i := range n {
		require.NoError(t, a.Send(i))
		require.NoError(t, b.Send(i))
	}
	reactortest.Receive(t, done)
	reactortest.Receive(t, done)
	reactortest.WaitClosed(t, a.Done())
	reactortest.WaitClosed(t, b.Done())
	// Shutdown returns once every worker has exited: every hook call
	// has returned.
	require.NoError(t, sys.Shutdown(context.Background()))
	st := sys.Stats()
	require.Equal(t, uint64(2*n), st.Handled)
	require.Equal(t, int64(2*n), log.events.Load())
	require.GreaterOrEqual(t, log.turns.Load(), int64(2))
	require.Zero(t, log.bad.Load())
}

// TestRemovedHooksAreNotCalled removes a hook and runs more turns.
func TestRemovedHooksAreNotCalled(t *testing.T) {
	sys := reactor.New(reactor.WithLogger(zerolog.Nop()), reactor.WithHookSample(1))
	var kept, removed turnLog
	sys.AddHooks(reactor.Hooks{Turn: kept.hook})
	remove := sys.AddHooks(reactor.Hooks{Turn: removed.hook})
	remove()
	remove() // a second call does nothing
	done := make(chan struct{}, 1)
	ch := countTo(t, sys, 3, done)
	for i := range 3 {
		require.NoError(t, ch.Send(i))
	}
	reactortest.Receive(t, done)
	require.NoError(t, sys.Shutdown(context.Background()))
	require.Equal(t, int64(3), kept.events.Load())
	require.Zero(t, removed.turns.Load())
	require.Nil(t, sys.AskProbe(), "no ask hook: no probe")
}

// TestAskProbeCallsAskAndExpiredHooks drives a probe by hand, as a
// protocol would.
func TestAskProbeCallsAskAndExpiredHooks(t *testing.T) {
	sys := reactortest.NewSystem(t, reactor.WithHookSample(1))
	require.Nil(t, sys.AskProbe())
	var asks, expired atomic.Int64
	remove := sys.AddHooks(reactor.Hooks{
		Ask:        func(d time.Duration) { asks.Add(1) },
		AskExpired: func() { expired.Add(1) },
	})
	p := sys.AskProbe()
	require.NotNil(t, p)
	start := p.Start()
	require.False(t, start.IsZero(), "every ask is sampled at a sample of 1")
	p.End(start, false)
	p.End(p.Start(), true)
	p.End(time.Time{}, true) // not sampled: only the expiry is told
	require.Equal(t, int64(2), asks.Load())
	require.Equal(t, int64(2), expired.Load())
	remove()
	require.Nil(t, sys.AskProbe())

	// Only an expiry hook: asks are not timed.
	sys.AddHooks(reactor.Hooks{AskExpired: func() { expired.Add(1) }})
	require.True(t, sys.AskProbe().Start().IsZero())
}

// TestHookSampleRoundsUpToAPowerOfTwo checks WithHookSample's rounding
// and the default.
func TestHookSampleRoundsUpToAPowerOfTwo(t *testing.T) {
	for _, c := range []struct{ n, want int }{
		{-5, 1}, {0, 1}, {1, 1}, {2, 2}, {3, 4}, {64, 64}, {65, 128}, {1 << 40, 1 << 30},
	} {
		sys := reactortest.NewSystem(t, reactor.WithHookSample(c.n))
		require.Equal(t, c.want, reactor.HookSample(sys), "WithHookSample(%d)", c.n)
	}
	require.Equal(t, reactor.DefaultHookSample, reactor.HookSample(reactortest.NewSystem(t)))
}

// TestPanickingHookIsLoggedAndContained lets a Turn hook and an Ask hook
// panic: the reactor goes on, and the panic is logged.
func TestPanickingHookIsLoggedAndContained(t *testing.T) {
	var buf syncBuffer
	sys := reactor.New(reactor.WithLogger(zerolog.New(&buf)), reactor.WithHookSample(1))
	sys.AddHooks(reactor.Hooks{
		Turn: func(time.Duration, int) { panic("turn hook") },
		Ask:  func(time.Duration) { panic("ask hook") },
	})
	done := make(chan struct{}, 1)
	ch := countTo(t, sys, 2, done)
	require.NoError(t, ch.Send(1))
	require.NoError(t, ch.Send(2))
	reactortest.Receive(t, done)
	// The Turn hook runs when the turn ends, after the handler signalled
	// done: wait for its panic's log line before the Ask hook's.
	require.Eventually(t, func() bool { return strings.Contains(strings.Join(buf.lines(), "\n"), "turn hook") },
		reactortest.Patience, time.Millisecond)
	p := sys.AskProbe()
	require.NotPanics(t, func() { p.End(p.Start(), false) })
	require.NoError(t, sys.Shutdown(context.Background()))
	require.Zero(t, sys.Stats().Failures)
	// The log is rate-limited: the ask hook's panic, which comes within
	// the second, is counted as suppressed.
	logs := strings.Join(buf.lines(), "\n")
	require.Contains(t, logs, "reactor hook panicked")
	require.Contains(t, logs, "turn hook")
}

// TestStatsCountTerminatedReactorsAndTheirEvents checks that Handled
// keeps the events of reactors that have terminated, and that the
// counters only grow while reactors come and go.
func TestStatsCountTerminatedReactorsAndTheirEvents(t *testing.T) {
	sys := reactortest.NewSystem(t, reactor.WithIntrospection()) // events are counted while observed
	const reactors, n = 8, 50
	done := make(chan struct{}, reactors)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var backwards atomic.Int64
	wg.Go(func() {
		var last reactor.Stats
		for {
			select {
			case <-stop:
				return
			default:
			}
			st := sys.Stats()
			if st.Handled < last.Handled || st.Terminated < last.Terminated {
				backwards.Add(1)
			}
			last = st
		}
	})
	chans := make([]reactor.Channel[int], reactors)
	for i := range chans {
		chans[i] = countTo(t, sys, n, done)
	}
	for i := range n {
		for _, ch := range chans {
			require.NoError(t, ch.Send(i))
		}
	}
	for _, ch := range chans {
		reactortest.Receive(t, done)
		reactortest.WaitClosed(t, ch.Done())
	}
	close(stop)
	wg.Wait()
	st := sys.Stats()
	require.Zero(t, backwards.Load())
	require.Equal(t, 0, st.Reactors)
	require.Equal(t, uint64(reactors), st.Spawned)
	require.Equal(t, uint64(reactors), st.Terminated)
	require.Equal(t, uint64(reactors*n), st.Handled)
}
