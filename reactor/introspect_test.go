package reactor_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// infoOf returns the live reactor named name, copying its connectors.
func infoOf(t *testing.T, sys *reactor.System, name string) (reactor.ReactorInfo, bool) {
	t.Helper()
	for info := range sys.Reactors() {
		if info.Name == name {
			info.Connectors = slices.Clone(info.Connectors)
			return info, true
		}
	}
	return reactor.ReactorInfo{}, false
}

// TestReactorsReportMailboxesHandledAndConnectors holds a reactor in a
// handler so that events queue, and checks what Reactors says of it.
func TestReactorsReportMailboxesHandledAndConnectors(t *testing.T) {
	before := time.Now().Truncate(time.Second)
	sys := reactortest.NewSystem(t, reactor.WithIntrospection())
	entered, release := make(chan struct{}), make(chan struct{})
	extra := make(chan reactor.Channel[string], 1)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		c, err := reactor.Open[string](r, reactor.Named("side"))
		if err != nil {
			panic(err)
		}
		c.Events().OnEvent(func(string) {})
		extra <- c.Channel()
		r.Main().Events().OnEvent(func(n int) {
			if n == 0 {
				entered <- struct{}{}
				<-release
			}
		})
	}, reactor.WithName("held"), reactor.WithScheduler(reactor.Dedicated))
	require.NoError(t, err)
	side := reactortest.Receive(t, extra)
	// Send the held event to an idle reactor, so that it is handed over
	// rather than queued behind the constructor's turn (which Len could
	// still count while that turn runs).
	require.Eventually(t, func() bool {
		info, ok := infoOf(t, sys, "held")
		return ok && info.State == "idle"
	}, reactortest.Patience, time.Millisecond)
	require.NoError(t, ch.Send(0))
	reactortest.Receive(t, entered)
	for i := 1; i <= 5; i++ {
		require.NoError(t, ch.Send(i))
	}
	require.NoError(t, side.Send("a"))
	require.NoError(t, side.Send("b"))

	info, ok := infoOf(t, sys, "held")
	require.True(t, ok)
	require.Equal(t, "dedicated", info.Scheduler)
	require.Equal(t, "scheduled", info.State)
	require.Equal(t, 7, info.Depth)
	require.Len(t, info.Connectors, 2)
	require.Equal(t, reactor.ConnectorInfo{Name: "main", Len: 5}, info.Connectors[0])
	require.Equal(t, reactor.ConnectorInfo{Name: "side", Len: 2}, info.Connectors[1])
	require.False(t, info.Started.Before(before), "started %v, test began %v", info.Started, before)
	require.False(t, info.Started.After(time.Now()))

	close(release)
	require.Eventually(t, func() bool {
		info, ok := infoOf(t, sys, "held")
		return ok && info.Handled == 8 && info.Depth == 0 && info.State == "idle"
	}, reactortest.Patience, time.Millisecond)

	require.NoError(t, ch.Stop())
	reactortest.WaitClosed(t, ch.Done())
	_, ok = infoOf(t, sys, "held")
	require.False(t, ok, "a terminated reactor is not listed")
}

// TestReactorsWithoutIntrospection lists reactors with their main
// connector only and no start time.
func TestReactorsWithoutIntrospection(t *testing.T) {
	sys := reactortest.NewSystem(t)
	done := make(chan struct{})
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		c, err := reactor.Open[string](r, reactor.Named("side"))
		if err != nil {
			panic(err)
		}
		c.Events().OnEvent(func(string) {})
		r.Main().Events().OnEvent(func(int) { done <- struct{}{} })
	}, reactor.WithName("plain"))
	require.NoError(t, err)
	require.NoError(t, ch.Send(1))
	reactortest.Receive(t, done)
	// Len may count the handled event until its turn ends: wait for idle.
	require.Eventually(t, func() bool {
		info, ok := infoOf(t, sys, "plain")
		return ok && info.State == "idle"
	}, reactortest.Patience, time.Millisecond)
	info, _ := infoOf(t, sys, "plain")
	require.Zero(t, info.Handled, "nobody observes: nothing counted")
	require.Equal(t, "pool", info.Scheduler)
	require.True(t, info.Started.IsZero())
	require.Equal(t, []reactor.ConnectorInfo{{Name: "main"}}, info.Connectors)
	require.Nil(t, sys.Flows())
	recent, total := sys.RecentDeadLetters()
	require.Nil(t, recent)
	require.Zero(t, total)
}

// TestReactorsNameTheCallerScheduler reads a reactor run by Run from its
// own handler.
func TestReactorsNameTheCallerScheduler(t *testing.T) {
	sys := reactortest.NewSystem(t)
	var got reactor.ReactorInfo
	err := reactor.Run(sys, func(r *reactor.Reactor[int]) {
		got, _ = infoOf(t, sys, "main-loop")
		r.Main().Seal()
	}, reactor.WithName("main-loop"))
	require.NoError(t, err)
	require.Equal(t, "caller", got.Scheduler)
}

// TestStatsCountFailuresRestartsAndTurns fails a reactor once under a
// restart policy and reads the system's counters.
func TestStatsCountFailuresRestartsAndTurns(t *testing.T) {
	sys := reactortest.NewSystem(t, reactor.WithWorkers(2), reactor.WithFailureHandler(func(reactor.Failure) {}))
	handled := make(chan int, 2)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(n int) {
			if n == 0 {
				panic(errors.New("boom"))
			}
			handled <- n
		})
	}, reactor.WithRestart(reactor.RestartPolicy{MaxRestarts: 1}))
	require.NoError(t, err)
	require.NoError(t, ch.Send(0))
	require.NoError(t, ch.Send(1))
	require.Equal(t, 1, reactortest.Receive(t, handled))

	st := sys.Stats()
	require.Equal(t, uint64(1), st.Failures)
	require.Equal(t, uint64(1), st.Restarts)
	require.Equal(t, 1, st.Reactors)
	require.Len(t, st.Workers, 2)
	for _, w := range st.Workers {
		require.GreaterOrEqual(t, w.Queue, 0)
	}
	// Workers publish their turns every 64 turns and when they park: the
	// idle pool parks, so the turns show.
	require.Eventually(t, func() bool {
		var turns uint64
		for _, w := range sys.Stats().Workers {
			turns += w.Turns
		}
		return turns > 0
	}, reactortest.Patience, time.Millisecond)
	for info := range sys.Reactors() {
		require.Equal(t, 1, info.Restarts)
	}
}

// TestFlowsSampleWhoSendsToWhom has one reactor send many events to
// another and from the test's goroutine, and looks for both pairs.
func TestFlowsSampleWhoSendsToWhom(t *testing.T) {
	sys := reactortest.NewSystem(t, reactor.WithIntrospection())
	const n = 100 * reactor.FlowSample
	got := make(chan struct{})
	sink, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		seen := 0
		r.Main().Events().OnEvent(func(int) {
			if seen++; seen == 2*n {
				close(got)
			}
		})
	}, reactor.WithName("sink"))
	require.NoError(t, err)
	src, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) {
			for i := range n {
				_ = sink.Send(i)
			}
		})
	}, reactor.WithName("source"))
	require.NoError(t, err)
	require.NoError(t, src.Send(1))
	for i := range n {
		require.NoError(t, sink.Send(i))
	}
	reactortest.WaitClosed(t, got)

	pairs := flowPairs(sys)
	// Each pair saw 6,400 sends, about 100 of them sampled.
	requireSampled(t, pairs, "source", "sink", n)
	requireSampled(t, pairs, "", "sink", n)
}

// flowPairs returns sys's flows by sender and receiver name.
func flowPairs(sys *reactor.System) map[[2]string]uint64 {
	pairs := map[[2]string]uint64{}
	for _, f := range sys.Flows() {
		pairs[[2]string{f.FromName, f.ToName}] = f.Sampled
	}
	return pairs
}

// requireSampled checks that about one in FlowSample of the sends events
// from "from" to "to" were sampled: within a factor of two of it.
func requireSampled(t *testing.T, pairs map[[2]string]uint64, from, to string, sends int) {
	t.Helper()
	got, want := pairs[[2]string{from, to}], uint64(sends/reactor.FlowSample)
	require.True(t, got >= want/2 && got <= 2*want, "%q to %q: %d sampled of %d sends, want about %d (flows %v)", from, to, got, sends, want, pairs)
}

// TestFlowsSampleEverySendPath checks the flow map's sampling on the
// paths a send can take: an event handed to an idle reactor without its
// mailbox (each send of a ping-pong), and a bounded mailbox.
func TestFlowsSampleEverySendPath(t *testing.T) {
	sys := reactortest.NewSystem(t, reactor.WithIntrospection())
	const n = 100 * reactor.FlowSample
	done := make(chan struct{})
	var ping, pong reactor.Channel[int]
	ping, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(i int) {
			if i >= 2*n {
				close(done)
				return
			}
			_ = pong.Send(i + 1)
		})
	}, reactor.WithName("ping"))
	require.NoError(t, err)
	pong, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(i int) { _ = ping.Send(i + 1) })
	}, reactor.WithName("pong"))
	require.NoError(t, err)
	require.NoError(t, ping.Send(0))
	reactortest.WaitClosed(t, done)

	got := make(chan struct{})
	bounded, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		seen := 0
		r.Main().Events().OnEvent(func(int) {
			if seen++; seen == n {
				close(got)
			}
		})
	}, reactor.WithName("bounded"), reactor.WithMain(reactor.Bounded(n, reactor.DropNewest)))
	require.NoError(t, err)
	for i := range n {
		require.NoError(t, bounded.Send(i))
	}
	reactortest.WaitClosed(t, got)

	pairs := flowPairs(sys)
	requireSampled(t, pairs, "ping", "pong", n)
	requireSampled(t, pairs, "pong", "ping", n)
	requireSampled(t, pairs, "", "bounded", n)
}

// TestRecentDeadLettersKeepTheNewestFirst dead-letters more events than
// the ring holds and reads the newest ones back.
func TestRecentDeadLettersKeepTheNewestFirst(t *testing.T) {
	sys := reactortest.NewSystem(t, reactor.WithIntrospection())
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) { r.Main().Seal() }, reactor.WithName("gone"))
	require.NoError(t, err)
	reactortest.WaitClosed(t, ch.Done())
	const sends = reactor.RecentDeadLetterCount + 6
	for range sends {
		require.ErrorIs(t, ch.Send(1), reactor.ErrTerminated)
	}
	sys.DeadLetter("elsewhere#x", reactor.ReasonNoRoute, "last")
	recent, total := sys.RecentDeadLetters()
	require.Equal(t, uint64(sends+1), total)
	require.Len(t, recent, reactor.RecentDeadLetterCount)
	require.Equal(t, reactor.DeadLetterRecord{Time: recent[0].Time, Channel: "elsewhere#x", Reason: reactor.ReasonNoRoute, Type: "string"}, recent[0])
	require.Equal(t, "gone#main", recent[1].Channel)
	require.Equal(t, reactor.ReasonTerminated, recent[1].Reason)
	require.Equal(t, "int", recent[1].Type)
	for i := 1; i < len(recent); i++ {
		require.False(t, recent[i].Time.After(recent[i-1].Time), "newest first")
	}
}

// TestReactorsReportStoppingDrainingAndBackoff checks the states a
// reactor passes through when it is told to end, and while it waits to
// restart after a failure.
func TestReactorsReportStoppingDrainingAndBackoff(t *testing.T) {
	sys := reactortest.NewSystem(t, reactor.WithIntrospection(),
		reactor.WithFailureHandler(func(reactor.Failure) {}))
	stateOf := func(name string) string {
		info, ok := infoOf(t, sys, name)
		require.True(t, ok, "%s is listed", name)
		return info.State
	}
	for _, tc := range []struct {
		want string
		end  func(reactor.Channel[int]) error
	}{
		{"draining", reactor.Channel[int].Drain},
		{"stopping", reactor.Channel[int].Stop},
	} {
		t.Run(tc.want, func(t *testing.T) {
			entered, release := make(chan struct{}), make(chan struct{})
			ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
				r.Main().Events().OnEvent(func(int) {
					entered <- struct{}{}
					<-release
				})
			}, reactor.WithName("held-"+tc.want), reactor.WithScheduler(reactor.Dedicated))
			require.NoError(t, err)
			require.NoError(t, ch.Send(1))
			reactortest.Receive(t, entered)
			require.NoError(t, tc.end(ch))
			require.Equal(t, tc.want, stateOf("held-"+tc.want))
			close(release)
			reactortest.WaitClosed(t, ch.Done())
		})
	}

	t.Run("backoff", func(t *testing.T) {
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			r.Main().Events().OnEvent(func(int) { panic("fail") })
		}, reactor.WithName("failing"), reactor.WithRestart(reactor.RestartPolicy{
			MaxRestarts: 1, Window: time.Hour, Backoff: time.Hour, MaxBackoff: time.Hour,
		}))
		require.NoError(t, err)
		require.NoError(t, ch.Send(1))
		require.Eventually(t, func() bool { return stateOf("failing") == "backoff" },
			reactortest.Patience, time.Millisecond)
		require.NoError(t, ch.Stop())
		reactortest.WaitClosed(t, ch.Done())
	})
}
