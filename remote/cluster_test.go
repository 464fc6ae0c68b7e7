package remote_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

// routeAuth is the cluster configuration of the test clusters: a name and
// route credentials, loopback listeners on random ports.
func routeAuth(routes ...string) remote.ClusterConfig {
	return remote.ClusterConfig{Name: "test", Username: "route", Password: "secret", Routes: routes}
}

// routed starts count nodes, each of its own system, whose embedded
// servers form one cluster on loopback: the first is the seed, the others
// route to it, and the servers' gossip completes the mesh. It waits until
// every server has a route to every other one.
func routed(t *testing.T, count int) []*remote.Node {
	t.Helper()
	sys, _ := remotetest.System(t)
	seed := remotetest.StartNode(t, sys, remote.WithCluster(routeAuth()))
	nodes := []*remote.Node{seed}
	for range count - 1 {
		sys, _ := remotetest.System(t)
		nodes = append(nodes, remotetest.StartNode(t, sys, remote.WithCluster(routeAuth(seed.ClusterURL()))))
	}
	meshed(t, nodes)
	return nodes
}

// meshed waits until the embedded server of every node has routes to the
// servers of all the others.
func meshed(t *testing.T, nodes []*remote.Node) {
	t.Helper()
	for _, n := range nodes {
		eventually(t, func() bool {
			rz, err := n.Server().Routez(nil)
			require.NoError(t, err)
			peers := map[string]bool{}
			for _, r := range rz.Routes {
				peers[r.RemoteID] = true
			}
			return len(peers) == len(nodes)-1
		}, "routes of %s", n.Server().ID())
	}
}

// eventually polls cond every millisecond until it holds, failing the
// test after wait.
func eventually(t *testing.T, cond func() bool, what string, args ...any) {
	t.Helper()
	eventuallyWithin(t, wait, cond, what, args...)
}

// eventuallyWithin is eventually, failing after bound instead of wait.
func eventuallyWithin(t *testing.T, bound time.Duration, cond func() bool, what string, args ...any) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(bound)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("timed out waiting for "+what, args...)
		}
	}
}

// reachable waits until the embedded server of n knows of want
// subscriptions to name's subject (local ones, or one per server across
// the routes): sends from n then reach them.
func reachable(t *testing.T, n *remote.Node, name string, want int) {
	t.Helper()
	subj, err := remote.Subject(n.Namespace(), name)
	require.NoError(t, err)
	eventually(t, func() bool { return n.Server().GlobalAccount().Interest(subj) >= want },
		"interest in %s", name)
}

// TestClusterAddresses: a clustered node opens a route and a client
// listener on loopback and says where; a default node opens none.
func TestClusterAddresses(t *testing.T) {
	nodes := routed(t, 2)
	for _, n := range nodes {
		require.True(t, strings.HasPrefix(n.ClusterURL(), "nats-route://127.0.0.1:"), n.ClusterURL())
		require.True(t, strings.HasPrefix(n.ClientURL(), "nats://127.0.0.1:"), n.ClientURL())
		require.Equal(t, "test", n.Server().ClusterName())
	}
	// The client listener serves clients of other processes.
	sys, _ := remotetest.System(t)
	c := remotetest.StartNode(t, sys, remote.WithURL(nodes[1].ClientURL()))
	_, got := remotetest.Export[int](t, nodes[0], "addr", 16)
	reachable(t, nodes[1], "addr", 1)
	remotetest.SendArrives(t, c, "addr", 7, got)

	plain := remotetest.StartNode(t, sys)
	require.Empty(t, plain.ClusterURL())
	require.Empty(t, plain.ClientURL())
	require.Nil(t, plain.Server().Addr())
}

// TestClusterFIFO: a name exported on one server of a 3-server cluster
// receives the events of senders on the two others, all of them, each
// sender's in the order sent.
func TestClusterFIFO(t *testing.T) {
	const per = 3000
	nodes := routed(t, 3)
	local, done := fifoChecker(t, nodes[0].System(), 2*per)
	_, err := remote.Export(nodes[0], "routes/fifo", local)
	require.NoError(t, err)

	var wg sync.WaitGroup
	for from := 1; from <= 2; from++ {
		reachable(t, nodes[from], "routes/fifo", 1)
		ch, err := remote.Channel[seqEvent](nodes[from], "routes/fifo")
		require.NoError(t, err)
		sendSeq(t, &wg, ch, from, per)
	}
	wg.Wait()
	require.NoError(t, reactortest.Receive(t, done))
}

// TestClusterServe: a client on one server asks a server served on
// another across the route; errors of the serving side come back typed.
func TestClusterServe(t *testing.T) {
	nodes := routed(t, 3)
	_, err := remote.Serve(nodes[2], "routes/double", echoServer(t, nodes[2].System()))
	require.NoError(t, err)
	reachable(t, nodes[0], "routes/double", 1)
	c, err := remote.NewClient[int, int](nodes[0], "routes/double")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for i := 0; i < 200; i += 2 {
		got, err := c.Ask(ctx, i)
		require.NoError(t, err)
		require.Equal(t, 2*i, got)
	}
	_, err = c.Ask(ctx, 3)
	var se *remote.ServerError
	require.ErrorAs(t, err, &se)
	require.Equal(t, remote.CodeError, se.Code)

	none, err := remote.NewClient[int, int](nodes[1], "routes/nobody")
	require.NoError(t, err)
	_, err = none.Ask(ctx, 2)
	require.ErrorIs(t, err, remote.ErrNoServer)
}

// TestClusterQueueGroup: two servers export one name; each event sent
// from the third goes to exactly one of them, and both get some.
func TestClusterQueueGroup(t *testing.T) {
	const total = 1000
	nodes := routed(t, 3)
	var outs []<-chan int
	for _, n := range nodes[1:] {
		_, got := remotetest.Export[int](t, n, "routes/q", total)
		outs = append(outs, got)
	}
	reachable(t, nodes[0], "routes/q", 2)
	ch, err := remote.Channel[int](nodes[0], "routes/q")
	require.NoError(t, err)
	for i := range total {
		require.NoError(t, ch.Send(i))
	}
	seen := map[int]int{} // event -> receiving exporter
	counts := make([]int, len(outs))
	deadline := time.After(wait)
	for len(seen) < total {
		select {
		case v := <-outs[0]:
			require.NotContains(t, seen, v, "event %d delivered twice", v)
			seen[v] = 0
			counts[0]++
		case v := <-outs[1]:
			require.NotContains(t, seen, v, "event %d delivered twice", v)
			seen[v] = 1
			counts[1]++
		case <-deadline:
			t.Fatalf("got %d of %d events", len(seen), total)
		}
	}
	// Nothing more is on its way: a flushed round trip through both
	// exporters' servers finds no late copy.
	for _, n := range nodes {
		require.NoError(t, n.Conn().Flush())
	}
	for i, out := range outs {
		require.Empty(t, out, "exporter %d got more", i)
	}
	t.Logf("split %v", counts)
	require.Positive(t, counts[0])
	require.Positive(t, counts[1])
}

// TestClusterCloseLeaksNothing: closing the nodes of a cluster ends every
// goroutine they started, routes and listeners included.
func TestClusterCloseLeaksNothing(t *testing.T) {
	before := goleak.IgnoreCurrent()
	sys := reactor.New()
	a, err := remote.Start(t.Context(), sys, remote.WithCluster(routeAuth()))
	require.NoError(t, err)
	b, err := remote.Start(t.Context(), sys, remote.WithCluster(routeAuth(a.ClusterURL())))
	require.NoError(t, err)
	meshed(t, []*remote.Node{a, b})
	_, got := remotetest.Export[int](t, a, "leak", 1)
	reachable(t, b, "leak", 1)
	remotetest.SendArrives(t, b, "leak", 1, got)

	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, b.Close(ctx))
	require.NoError(t, a.Close(ctx))
	require.NoError(t, sys.Shutdown(ctx))
	goleak.VerifyNone(t, before)
}

// TestClusterOptionErrors: a cluster configuration that cannot work fails
// Start with ErrStart before anything starts.
func TestClusterOptionErrors(t *testing.T) {
	sys, _ := remotetest.System(t)
	good := remote.ClusterConfig{Name: "c"}
	bad := map[string][]remote.Option{
		"with URL":         {remote.WithCluster(good), remote.WithURL("nats://127.0.0.1:1")},
		"with leaf node":   {remote.WithCluster(good), remote.WithLeafNode("nats-leaf://127.0.0.1:1")},
		"no name":          {remote.WithCluster(remote.ClusterConfig{})},
		"spaced name":      {remote.WithCluster(remote.ClusterConfig{Name: "a b"})},
		"listen no port":   {remote.WithCluster(remote.ClusterConfig{Name: "c", Listen: "127.0.0.1"})},
		"listen bad port":  {remote.WithCluster(remote.ClusterConfig{Name: "c", Listen: "127.0.0.1:70000"})},
		"client no host":   {remote.WithCluster(remote.ClusterConfig{Name: "c", ClientListen: ":4222"})},
		"advertise":        {remote.WithCluster(remote.ClusterConfig{Name: "c", Advertise: "nohost"})},
		"route scheme":     {remote.WithCluster(remote.ClusterConfig{Name: "c", Routes: []string{"http://127.0.0.1:6222"}})},
		"route no port":    {remote.WithCluster(remote.ClusterConfig{Name: "c", Routes: []string{"nats-route://127.0.0.1"}})},
		"route no host":    {remote.WithCluster(remote.ClusterConfig{Name: "c", Routes: []string{"nats-route://:6222"}})},
		"route unparsable": {remote.WithCluster(remote.ClusterConfig{Name: "c", Routes: []string{"nats-route://[::1"}})},
		"route path":       {remote.WithCluster(remote.ClusterConfig{Name: "c", Routes: []string{"nats-route://127.0.0.1:6222/x"}})},
		"replicas":         {remote.WithCluster(remote.ClusterConfig{Name: "c", Replicas: 6})},
		"password only":    {remote.WithCluster(remote.ClusterConfig{Name: "c", Password: "p"})},
		"registry alone":   {remote.WithCluster(good), remote.WithRegistry()},
	}
	for what, opts := range bad {
		_, err := remote.Start(t.Context(), sys, opts...)
		require.ErrorIs(t, err, remote.ErrStart, what)
	}
}

// clusterStartLimit bounds the Start of a clustered registry: its
// JetStream cluster elects a leader in about a second, in 5 to 10 s when
// the first election fails, and slower again on a machine busy with
// other work. It is a hang bound, not a speed target.
const clusterStartLimit = 6 * wait

// watchRecovery is how long the watch of a clustered registry can show
// nothing after a JetStream leadership moved (see the package doc): two
// missed heartbeats of 5 s, then a new consumer.
const watchRecovery = 15 * time.Second

// registryCluster starts one node per id, each of its own system, with a
// registry, whose embedded servers form a cluster with every server
// routing to every other one. The nodes start concurrently: a JetStream
// cluster elects its leader only once a majority of its servers runs.
//
// It also returns how long to wait for a member event of the cluster:
// an event can lag by a watch recovery after a leadership moved, and a
// cluster whose elections took long to start can take as long to elect
// again first; wait covers the rest.
func registryCluster(t *testing.T, ids ...string) ([]*remote.Node, time.Duration) {
	t.Helper()
	start := time.Now()
	nodes := remotetest.Cluster(t, ids, clusterStartLimit, func(_ int, routes []string) remote.ClusterConfig {
		return routeAuth(routes...) // its own route too: a shared list
	})
	took := time.Since(start)
	t.Logf("clustered registry of %d started in %v", len(ids), took)
	return nodes, took + watchRecovery + wait
}

// TestClusterRegistry: the registry of a cluster of three embedded
// servers: every member sees the others, sees which node serves a name,
// reaches that node alone, and sees a closing node leave while the two
// others keep the registry working.
func TestClusterRegistry(t *testing.T) {
	nodes, settle := registryCluster(t, "a", "b", "c")
	a, b, c := nodes[0], nodes[1], nodes[2]
	for _, n := range nodes {
		require.Equal(t, n.ID(), n.Server().Name())
		require.True(t, n.Server().JetStreamIsClustered())
	}
	w := remotetest.Watch(t, a)
	joined := map[string]bool{}
	for len(joined) < 3 { // in any order: a member may join after the watch began
		ev := remotetest.UntilWithin(t, w, settle, func(ev remote.MemberEvent) bool { return ev.Change == remote.MemberJoined })
		joined[ev.Member.ID] = true
	}
	require.Equal(t, map[string]bool{"a": true, "b": true, "c": true}, joined)
	eventuallyWithin(t, settle, func() bool { ms, _ := b.Members(); return len(ms) == 3 }, "b to see 3 members")

	_, err := remote.Serve(c, "svc/double", echoServer(t, c.System()))
	require.NoError(t, err)
	remotetest.ExportingWithin(t, w, settle, "svc/double", "c")
	exps, err := a.Exporters("svc/double")
	require.NoError(t, err)
	require.Equal(t, []string{"c"}, exps)
	// Listed means reachable: the first request finds c's server.
	cl, err := remote.NodeClient[int, int](a, "c", "svc/double")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	got, err := cl.Ask(ctx, 21*2)
	require.NoError(t, err)
	require.Equal(t, 84, got)

	left := time.Now()
	closeCtx, cancelClose := context.WithTimeout(context.Background(), wait)
	defer cancelClose()
	require.NoError(t, c.Close(closeCtx)) // hands its leaderships over first
	t.Logf("c closed in %v", time.Since(left))
	ev := remotetest.UntilWithin(t, w, settle, func(ev remote.MemberEvent) bool { return ev.Member.ID == "c" })
	require.Equal(t, remote.MemberLeft, ev.Change)
	require.False(t, ev.Expired)
	t.Logf("a saw c leave %v after c.Close began", time.Since(left))
	exps, err = a.Exporters("svc/double")
	require.NoError(t, err)
	require.Empty(t, exps)

	// Two of three servers still hold the registry.
	remotetest.Export[int](t, b, "after", 1)
	remotetest.ExportingWithin(t, w, settle, "after", "b")
	t.Logf("a saw b's export %v after c left", time.Since(left))

	// The last two leave together: neither waits for a cluster without a
	// majority to remove its lease.
	ctx, cancel = context.WithTimeout(context.Background(), wait)
	defer cancel()
	var wg sync.WaitGroup
	closed := make([]error, 2)
	for i, n := range []*remote.Node{a, b} {
		wg.Go(func() { closed[i] = n.Close(ctx) })
	}
	wg.Wait()
	t.Logf("the last two closed %v after c left", time.Since(left))
	require.NoError(t, closed[0])
	require.NoError(t, closed[1])
}
