// Package remotetest holds the helpers that the tests of remote,
// remote/table, remote/follow and remote/durable share: nodes and NATS
// servers that end with the test, registry members, reactors that
// collect what they receive, and waits on member watches. Only tests
// import it.
//
// Every helper fails the test at once (t.FailNow) when a step fails, and
// every wait is bounded by [reactortest.Patience] unless it takes a bound.
// The systems it creates come from [reactortest.NewSystem].
package remotetest

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote"
)

// System returns a quiet system whose dead letters arrive on the
// returned channel (while it has room; later ones are dropped); it is
// shut down when the test ends.
func System(t testing.TB) (*reactor.System, <-chan reactor.DeadLetter) {
	t.Helper()
	dead := make(chan reactor.DeadLetter, 1024)
	sys := reactortest.NewSystem(t, reactor.WithDeadLetterHandler(func(d reactor.DeadLetter) {
		select {
		case dead <- d:
		default:
		}
	}))
	return sys, dead
}

// FreePorts returns count loopback TCP ports that were free a moment
// ago (each was listened on, then closed).
func FreePorts(t testing.TB, count int) []int {
	t.Helper()
	var ports []int
	for range count {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
		require.NoError(t, l.Close())
	}
	return ports
}

// AwaitNotice returns the next notice of n of kind k, skipping others,
// failing the test after reactortest.Patience.
func AwaitNotice(t testing.TB, n *remote.Node, k remote.NoticeKind) remote.Notice {
	t.Helper()
	deadline := time.After(reactortest.Patience)
	for {
		select {
		case ev, ok := <-n.Notices():
			require.True(t, ok, "notices closed while waiting for %v", k)
			if ev.Kind == k {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %v notice after %v", k, reactortest.Patience)
		}
	}
}

// Cluster starts one node per id, concurrently (a JetStream cluster
// elects its leader once a majority runs), each of a system of its own,
// with a registry, its embedded server clustered as cfg says for node i
// listening on route URL routes[i] (routes lists every node's). Start is
// bounded by limit; the nodes close when the test ends, and t fails if
// one did not start.
func Cluster(t testing.TB, ids []string, limit time.Duration, cfg func(i int, routes []string) remote.ClusterConfig) []*remote.Node {
	t.Helper()
	var routes []string
	for _, p := range FreePorts(t, len(ids)) {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", p))
	}
	nodes := make([]*remote.Node, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		sys, _ := System(t)
		c := cfg(i, routes)
		c.Listen = strings.TrimPrefix(routes[i], "nats-route://")
		wg.Go(func() {
			nodes[i], errs[i] = remote.Start(t.Context(), sys, remote.WithCluster(c), remote.WithRegistry(),
				remote.WithNodeID(id), remote.WithConnectTimeout(limit))
		})
	}
	wg.Wait()
	for _, n := range nodes {
		if n == nil {
			continue
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), reactortest.Patience)
			defer cancel()
			if err := n.Close(ctx); err != nil {
				require.ErrorIs(t, err, remote.ErrClosed)
			}
		})
	}
	for i, err := range errs {
		require.NoError(t, err, "node %s", ids[i])
	}
	return nodes
}

// StartNode starts a node of sys that is closed when the test ends (if
// the test did not close it).
func StartNode(t testing.TB, sys *reactor.System, opts ...remote.Option) *remote.Node {
	t.Helper()
	n, err := remote.Start(t.Context(), sys, opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), reactortest.Patience)
		defer cancel()
		if err := n.Close(ctx); err != nil {
			require.ErrorIs(t, err, remote.ErrClosed)
		}
	})
	return n
}

// Server starts a NATS server listening on 127.0.0.1 on a random port,
// configured further by edit (if not nil); it is shut down when the test
// ends.
func Server(t testing.TB, edit func(*natsserver.Options)) *natsserver.Server {
	t.Helper()
	o := &natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true}
	if edit != nil {
		edit(o)
	}
	s, err := natsserver.NewServer(o)
	require.NoError(t, err)
	s.Start()
	require.True(t, s.ReadyForConnections(reactortest.Patience))
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return s
}

// JetStreamServer starts a [Server] with JetStream (stored in a temporary
// directory of the test), configured further by edit (if not nil), and
// returns its client URL.
func JetStreamServer(t testing.TB, edit func(*natsserver.Options)) string {
	t.Helper()
	s := Server(t, func(o *natsserver.Options) {
		o.JetStream, o.StoreDir = true, t.TempDir()
		if edit != nil {
			edit(o)
		}
	})
	return s.ClientURL()
}

// DomainHub starts a [JetStreamServer] whose JetStream has the domain
// domain and which takes leaf node connections, and returns the URL a
// leaf node connects to.
func DomainHub(t testing.TB, domain string) string {
	t.Helper()
	var hub *natsserver.Options
	JetStreamServer(t, func(o *natsserver.Options) {
		o.LeafNode.Host, o.LeafNode.Port = "127.0.0.1", -1
		o.JetStreamDomain = domain
		hub = o
	})
	return fmt.Sprintf("nats-leaf://127.0.0.1:%d", hub.LeafNode.Port)
}

// Member starts a node of a system of its own with a registry, as a
// client of the server at url, with node id id and then opts.
func Member(t testing.TB, url, id string, opts ...remote.Option) *remote.Node {
	t.Helper()
	opts = append([]remote.Option{remote.WithURL(url), remote.WithRegistry(), remote.WithNodeID(id)}, opts...)
	return StartNode(t, reactortest.NewSystem(t), opts...)
}

// Collect spawns a reactor of sys that forwards every event to the
// returned Go channel, which has room for size events (a handler blocks
// when it is full).
func Collect[T any](t testing.TB, sys *reactor.System, size int) (reactor.Channel[T], <-chan T) {
	t.Helper()
	out := make(chan T, size)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[T]) {
		r.Main().Events().OnEvent(func(v T) { out <- v })
	})
	require.NoError(t, err)
	return ch, out
}

// Export exports a [Collect] reactor of n's system under name on n, with
// opts, and returns the export and the collector's Go channel (room for
// size events).
func Export[T any](t testing.TB, n *remote.Node, name string, size int, opts ...remote.ChannelOption[T]) (*remote.Exported, <-chan T) {
	t.Helper()
	local, out := Collect[T](t, n.System(), size)
	exp, err := remote.Export(n, name, local, opts...)
	require.NoError(t, err)
	return exp, out
}

// Exporters starts count Members of the server at url, with ids n0, n1,
// ..., each exporting name into a collector with room for 4096 events, and
// returns them with the collectors' Go channels.
func Exporters(t testing.TB, url, name string, count int) ([]*remote.Node, []<-chan int) {
	t.Helper()
	var nodes []*remote.Node
	var outs []<-chan int
	for i := range count {
		n := Member(t, url, fmt.Sprintf("n%d", i))
		_, out := Export[int](t, n, name, 4096)
		nodes = append(nodes, n)
		outs = append(outs, out)
	}
	return nodes, outs
}

// Quiet fails the test if anything arrives on outs within 100 ms. It
// proves nothing about later arrivals: a test calls it after everything
// it expects has arrived, as a check for extra deliveries.
func Quiet(t testing.TB, outs []<-chan int) {
	t.Helper()
	time.Sleep(100 * time.Millisecond)
	for i, out := range outs {
		select {
		case v := <-out:
			t.Fatalf("exporter %d got an extra event %d", i, v)
		default:
		}
	}
}

// Watch returns a watch of n's registry (default size) that is stopped
// when the test ends.
func Watch(t testing.TB, n *remote.Node) *remote.MemberWatch {
	t.Helper()
	w, err := n.WatchMembers(0)
	require.NoError(t, err)
	t.Cleanup(w.Stop)
	return w
}

// Until reads w's events until one satisfies ok, and returns it. It fails
// the test if w closes first or none comes within [reactortest.Patience].
func Until(t testing.TB, w *remote.MemberWatch, ok func(remote.MemberEvent) bool) remote.MemberEvent {
	t.Helper()
	return UntilWithin(t, w, reactortest.Patience, ok)
}

// UntilWithin is [Until], failing after bound instead of
// [reactortest.Patience].
func UntilWithin(t testing.TB, w *remote.MemberWatch, bound time.Duration, ok func(remote.MemberEvent) bool) remote.MemberEvent {
	t.Helper()
	deadline := time.NewTimer(bound)
	defer deadline.Stop()
	for {
		select {
		case ev, open := <-w.Changes():
			require.True(t, open, "watch closed: %v", w.Err())
			if ok(ev) {
				return ev
			}
		case <-deadline.C:
			t.Fatalf("timed out waiting for a member event (%v)", bound)
		}
	}
}

// Exporting waits until w reports that every node of ids exports name
// (see [Until]).
func Exporting(t testing.TB, w *remote.MemberWatch, name string, ids ...string) {
	t.Helper()
	ExportingWithin(t, w, reactortest.Patience, name, ids...)
}

// ExportingWithin is [Exporting], each event waited for at most bound.
func ExportingWithin(t testing.TB, w *remote.MemberWatch, bound time.Duration, name string, ids ...string) {
	t.Helper()
	left := map[string]bool{}
	for _, id := range ids {
		left[id] = true
	}
	for len(left) > 0 {
		ev := UntilWithin(t, w, bound, func(ev remote.MemberEvent) bool {
			return ev.Change != remote.MemberLeft && left[ev.Member.ID] && ev.Member.Exports(name)
		})
		delete(left, ev.Member.ID)
	}
}

// InsideReactor runs call in a handler of a new reactor of sys and
// returns call's error. It fails the test if call does not return within
// [reactortest.Patience] (a blocking call that hangs its reactor).
func InsideReactor(t testing.TB, sys *reactor.System, call func() error) error {
	t.Helper()
	errs := make(chan error, 1)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[struct{}]) {
		r.Main().Events().OnEvent(func(struct{}) { errs <- call() })
	})
	require.NoError(t, err)
	require.NoError(t, ch.Send(struct{}{}))
	return reactortest.Receive(t, errs)
}

// SendArrives sends v on a remote channel of n for name ([remote.Channel],
// default codec) and checks that v is the next value on got, the
// collector of the name's export.
func SendArrives[T any](t testing.TB, n *remote.Node, name string, v T, got <-chan T) {
	t.Helper()
	ch, err := remote.Channel[T](n, name)
	require.NoError(t, err)
	require.NoError(t, ch.Send(v))
	require.Equal(t, v, reactortest.Receive(t, got))
}
