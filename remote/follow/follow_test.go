package follow_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/follow"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
	"github.com/reactors-go/reactors/router"
)

// TestRouterRoundRobin: a round-robin router following the registry's
// exporters of a name balances exactly across nodes, and drops a node
// that leaves.
func TestRouterRoundRobin(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	s := remotetest.Member(t, url, "sender")
	w := remotetest.Watch(t, s)
	rt := router.New(s.System(), "rr", router.RoundRobin[int]())
	f, err := follow.Router(s, "work", rt)
	require.NoError(t, err)
	defer f.Stop()
	require.Empty(t, rt.Targets())

	nodes, outs := remotetest.Exporters(t, url, "work", 3)
	remotetest.Exporting(t, w, "work", "n0", "n1", "n2")
	var names []string
	for _, ch := range rt.Targets() {
		names = append(names, ch.Name())
	}
	require.Equal(t, []string{"remote:work@n0", "remote:work@n1", "remote:work@n2"}, names)

	for i := range 300 {
		require.NoError(t, rt.Channel().Send(i))
	}
	require.Equal(t, []int{100, 100, 100}, tally(t, outs, 300))

	require.NoError(t, nodes[1].Close(context.Background()))
	remotetest.Until(t, w, func(ev remote.MemberEvent) bool { return ev.Change == remote.MemberLeft && ev.Member.ID == "n1" })
	require.Len(t, rt.Targets(), 2)
	for i := range 200 {
		require.NoError(t, rt.Channel().Send(i))
	}
	require.Equal(t, []int{100, 0, 100}, tally(t, outs, 200))
}

// TestRouterOrder: members are kept sorted by node id whatever order they
// join in.
func TestRouterOrder(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	s := remotetest.Member(t, url, "sender")
	w := remotetest.Watch(t, s)
	rt := router.New(s.System(), "ordered", router.RoundRobin[int]())
	f, err := follow.Router(s, "work", rt)
	require.NoError(t, err)
	defer f.Stop()
	for _, id := range []string{"m2", "m0", "m1"} {
		n := remotetest.Member(t, url, id)
		remotetest.Export[int](t, n, "work", 1)
		remotetest.Exporting(t, w, "work", id)
	}
	var names []string
	for _, ch := range rt.Targets() {
		names = append(names, ch.Name())
	}
	require.Equal(t, []string{"remote:work@m0", "remote:work@m1", "remote:work@m2"}, names)
}

// TestRouterConsistentHash: two nodes' routers with a consistent-hash
// policy send every key to the same exporter.
func TestRouterConsistentHash(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	var routers []*router.Router[int]
	var watches []*remote.MemberWatch
	for _, id := range []string{"s0", "s1"} {
		s := remotetest.Member(t, url, id)
		rt := router.New(s.System(), "ch", router.ConsistentHash(func(v int) uint64 { return uint64(v) }, 64))
		f, err := follow.Router(s, "work", rt)
		require.NoError(t, err)
		t.Cleanup(f.Stop)
		routers, watches = append(routers, rt), append(watches, remotetest.Watch(t, s))
	}
	_, outs := remotetest.Exporters(t, url, "work", 3)
	for _, w := range watches {
		remotetest.Exporting(t, w, "work", "n0", "n1", "n2")
	}
	const k = 200
	for _, rt := range routers {
		for v := range k {
			require.NoError(t, rt.Channel().Send(v))
		}
	}
	at := map[int][]int{} // value -> exporters that got it
	for range 2 * k {
		select {
		case v := <-outs[0]:
			at[v] = append(at[v], 0)
		case v := <-outs[1]:
			at[v] = append(at[v], 1)
		case v := <-outs[2]:
			at[v] = append(at[v], 2)
		case <-time.After(wait):
			t.Fatal("timed out")
		}
	}
	used := map[int]bool{}
	for v := range k {
		require.Len(t, at[v], 2, "value %d", v)
		require.Equal(t, at[v][0], at[v][1], "value %d went to two exporters", v)
		used[at[v][0]] = true
	}
	require.Len(t, used, 3, "every exporter owns some keys")
}

// TestPaths: a path tree following a name's exporters broadcasts to
// every node once with "prefix/*", selects one by round-robin with
// "prefix/?", and reaches one node by its id.
func TestPaths(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	s := remotetest.Member(t, url, "sender")
	w := remotetest.Watch(t, s)
	all := router.NewPaths[int](s.System())
	require.NoError(t, all.SetPolicy("work", router.Broadcast[int]()))
	fa, err := follow.Paths(s, "work", all, "work")
	require.NoError(t, err)
	defer fa.Stop()
	one := router.NewPaths[int](s.System())
	require.NoError(t, one.SetPolicy("srv/work", router.RoundRobin[int]()))
	fo, err := follow.Paths(s, "work", one, "srv/work")
	require.NoError(t, err)
	defer fo.Stop()
	_, err = follow.Paths(s, "work", one, "bad/*")
	require.ErrorIs(t, err, router.ErrBadPath)

	nodes, outs := remotetest.Exporters(t, url, "work", 3)
	remotetest.Exporting(t, w, "work", "n0", "n1", "n2")
	members, err := one.Members("srv/work/?")
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"srv/work/n0", "srv/work/n1", "srv/work/n2"}, members)

	for i := range 20 {
		require.NoError(t, all.Send("work/*", i))
	}
	for _, out := range outs {
		for i := range 20 {
			require.Equal(t, i, reactortest.Receive(t, out))
		}
	}
	remotetest.Quiet(t, outs)

	for i := range 30 {
		require.NoError(t, one.Send("srv/work/?", i))
	}
	require.Equal(t, []int{10, 10, 10}, tally(t, outs, 30))

	require.NoError(t, one.Send("srv/work/n2", 99))
	require.Equal(t, 99, reactortest.Receive(t, outs[2]))

	require.NoError(t, nodes[0].Close(context.Background()))
	remotetest.Until(t, w, func(ev remote.MemberEvent) bool { return ev.Change == remote.MemberLeft && ev.Member.ID == "n0" })
	members, err = all.Members("work/*")
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"work/n1", "work/n2"}, members)
}

// tally receives total events from the three exporters' outputs outs,
// counts them per exporter, and checks that nothing more arrives.
func tally(t *testing.T, outs []<-chan int, total int) []int {
	t.Helper()
	got := make([]int, len(outs))
	for range total {
		select {
		case <-outs[0]:
			got[0]++
		case <-outs[1]:
			got[1]++
		case <-outs[2]:
			got[2]++
		case <-time.After(wait):
			t.Fatal("timed out")
		}
	}
	remotetest.Quiet(t, outs)
	return got
}

// TestNeedsRegistry: a node without a registry cannot be followed, and a
// bad name or prefix is refused.
func TestNeedsRegistry(t *testing.T) {
	sys := reactortest.NewSystem(t)
	plain := remotetest.StartNode(t, sys)
	_, err := follow.Router(plain, "x", router.New(sys, "r", router.RoundRobin[int]()))
	require.ErrorIs(t, err, remote.ErrNoRegistry)
	_, err = follow.Paths(plain, "x", router.NewPaths[int](sys), "x")
	require.ErrorIs(t, err, remote.ErrNoRegistry)

	n := remotetest.Member(t, remotetest.JetStreamServer(t, nil), "a")
	_, err = follow.Router(n, "a/*", router.New(sys, "r2", router.RoundRobin[int]()))
	require.ErrorIs(t, err, remote.ErrInvalidName)
	_, err = follow.Paths(n, "a/*", router.NewPaths[int](sys), "x")
	require.ErrorIs(t, err, remote.ErrInvalidName)
}
