package router_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/router"
	"github.com/reactors-go/reactors/server"
)

// TestStatsCountRoutedEventsPerMember routes through every built-in
// policy's path and a custom one, and reads the counts per member,
// which survive the membership changes of other targets.
func TestStatsCountRoutedEventsPerMember(t *testing.T) {
	sys := reactortest.NewSystem(t, reactor.WithIntrospection())
	a, b := spawnSinks(t, sys, "a"), spawnSinks(t, sys, "b")
	for _, tc := range []struct {
		name   string
		policy router.Policy[int]
		want   [2]uint64 // after 4 sends
	}{
		{"round-robin", router.RoundRobin[int](), [2]uint64{2, 2}},
		{"broadcast", router.Broadcast[int](), [2]uint64{4, 4}},
		{"custom", router.PolicyFunc[int](func(v int, m *router.Members) int { return 1 }), [2]uint64{0, 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := router.New(sys, "rt-"+tc.name, tc.policy)
			require.NoError(t, rt.Add(a, b))
			ctx := context.Background()
			for i, send := range []func(int) error{ // every way into a router counts
				rt.Channel().Send,
				func(v int) error { return rt.Channel().Offer(ctx, v) },
				func(v int) error { return rt.Channel().SendAndRun(ctx, v) },
				rt.Channel().Send,
			} {
				require.NoError(t, send(i))
			}
			st := rt.Stats()
			require.Equal(t, "rt-"+tc.name, st.Name)
			require.Len(t, st.Members, 2)
			require.Equal(t, a.Name(), st.Members[0].Channel)
			require.Equal(t, tc.want, [2]uint64{st.Members[0].Routed, st.Members[1].Routed})

			c := spawnSinks(t, sys, "c-"+tc.name)
			require.NoError(t, rt.Add(c))
			rt.Remove(a)
			st = rt.Stats()
			require.Equal(t, []string{b.Name(), c.Name()}, []string{st.Members[0].Channel, st.Members[1].Channel})
			require.Equal(t, tc.want[1], st.Members[0].Routed, "b's count survives")
			require.Zero(t, st.Members[1].Routed)
		})
	}
}

// TestStatsWithoutIntrospectionCountNothing keeps the routing path free
// of counters on a system without introspection.
func TestStatsWithoutIntrospectionCountNothing(t *testing.T) {
	sys := reactortest.NewSystem(t)
	a := spawnSinks(t, sys, "a")
	rt := router.New(sys, "rt", router.RoundRobin[int]())
	require.NoError(t, rt.Add(a))
	require.NoError(t, rt.Channel().Send(1))
	st := rt.Stats()
	require.Equal(t, []router.MemberStats{{Channel: a.Name(), Routed: 0, Waiting: st.Members[0].Waiting}}, st.Members)
}

// spawnSinks spawns a named reactor that ignores its int events.
func spawnSinks(t *testing.T, sys *reactor.System, name string) reactor.Channel[int] {
	t.Helper()
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) {})
	}, reactor.WithName(name))
	require.NoError(t, err)
	return ch
}

// TestAsksThroughRoutersReachTheSystemHooks asks through a router's
// channel and a path's channel: each names the router's system
// (reactor.Channel.System), so the system's hooks hear of the asks.
func TestAsksThroughRoutersReachTheSystemHooks(t *testing.T) {
	sys := reactortest.NewSystem(t, reactor.WithHookSample(1))
	asks := make(chan time.Duration, 4)
	sys.AddHooks(reactor.Hooks{Ask: func(d time.Duration) { asks <- d }})
	srv, err := server.Spawn(sys, func(v int) (int, error) { return 2 * v, nil }, reactor.WithName("double"))
	require.NoError(t, err)

	rt := router.New(sys, "rt", router.RoundRobin[server.Request[int, int]]())
	require.NoError(t, rt.Add(srv))
	require.Same(t, sys, rt.System())
	require.Same(t, sys, rt.Channel().System())
	require.True(t, rt.Channel().Forwards())
	require.False(t, srv.Forwards())

	paths := router.NewPaths[server.Request[int, int]](sys)
	require.NoError(t, paths.Register("jobs/double", srv))
	require.NoError(t, paths.SetPolicy("jobs", router.RoundRobin[server.Request[int, int]]()))
	pch, err := paths.Channel("jobs")
	require.NoError(t, err)
	require.Same(t, sys, pch.System())

	for _, ch := range []server.Server[int, int]{rt.Channel(), pch} {
		v, err := server.Ask(context.Background(), ch, 21)
		require.NoError(t, err)
		require.Equal(t, 42, v)
		select {
		case <-asks:
		default:
			t.Fatalf("the ask through %s was not reported", ch.Name())
		}
	}
}

// TestFlowsThroughARouterNameTheSenderAndTheTarget sends from a reactor
// through a router: the system's flow map records the reactor's sends to
// each member the router picked, not to the router.
func TestFlowsThroughARouterNameTheSenderAndTheTarget(t *testing.T) {
	sys := reactortest.NewSystem(t, reactor.WithIntrospection())
	const n = 200 * reactor.FlowSample
	got := make(chan struct{})
	var seen atomic.Int64 // two sinks count
	count := func() {
		if seen.Add(1) == n {
			close(got)
		}
	}
	var sinks [2]reactor.Channel[int]
	for i, name := range []string{"a", "b"} {
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			r.Main().Events().OnEvent(func(int) { count() })
		}, reactor.WithName(name), reactor.WithScheduler(reactor.Dedicated))
		require.NoError(t, err)
		sinks[i] = ch
	}
	rt := router.New(sys, "rt", router.RoundRobin[int]())
	require.NoError(t, rt.Add(sinks[0], sinks[1]))
	src, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) {
			for i := range n {
				_ = rt.Channel().Send(i)
			}
		})
	}, reactor.WithName("src"))
	require.NoError(t, err)
	require.NoError(t, src.Send(0))
	reactortest.WaitClosed(t, got)

	pairs := map[[2]string]uint64{}
	for _, f := range sys.Flows() {
		pairs[[2]string{f.FromName, f.ToName}] = f.Sampled
	}
	for _, to := range []string{"a", "b"} {
		k := pairs[[2]string{"src", to}]
		want := uint64(n / 2 / reactor.FlowSample)
		require.True(t, k >= want/2 && k <= 2*want, "src to %s: %d sampled, want about %d (flows %v)", to, k, want, pairs)
	}
	require.Zero(t, pairs[[2]string{"src", "rt"}], "the router is no reactor")
}
