package router_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/router"
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
			for i := range 4 {
				require.NoError(t, rt.Channel().Send(i))
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
