package remote_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/remote"
)

// jsServer starts a NATS server with JetStream on 127.0.0.1 (random port)
// and returns its client URL.
func jsServer(t *testing.T, edit func(*natsserver.Options)) string {
	t.Helper()
	s := tcpServer(t, func(o *natsserver.Options) {
		o.JetStream, o.StoreDir = true, t.TempDir()
		if edit != nil {
			edit(o)
		}
	})
	return s.ClientURL()
}

// member starts a node of its own system with a registry, as a client of
// the server at url.
func member(t *testing.T, url, id string, opts ...remote.Option) *remote.Node {
	t.Helper()
	sys, _ := newSystem(t)
	opts = append([]remote.Option{remote.WithURL(url), remote.WithRegistry(), remote.WithNodeID(id)}, opts...)
	return startNode(t, sys, opts...)
}

// watch returns a watch of n's registry that is stopped when the test ends.
func watch(t *testing.T, n *remote.Node) *remote.MemberWatch {
	t.Helper()
	w, err := n.WatchMembers(0)
	require.NoError(t, err)
	t.Cleanup(w.Stop)
	return w
}

// until reads w's events until one satisfies ok, and returns it.
func until(t *testing.T, w *remote.MemberWatch, ok func(remote.MemberEvent) bool) remote.MemberEvent {
	t.Helper()
	return untilWithin(t, w, wait, ok)
}

// untilWithin is until, failing after bound instead of wait.
func untilWithin(t *testing.T, w *remote.MemberWatch, bound time.Duration, ok func(remote.MemberEvent) bool) remote.MemberEvent {
	t.Helper()
	deadline := time.After(bound)
	for {
		select {
		case ev, open := <-w.Events():
			require.True(t, open, "watch closed: %v", w.Err())
			if ok(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("timed out waiting for a member event (%v)", bound)
		}
	}
}

// exporting waits until w reports that every node of ids exports name.
func exporting(t *testing.T, w *remote.MemberWatch, name string, ids ...string) {
	t.Helper()
	exportingWithin(t, w, wait, name, ids...)
}

// exportingWithin is exporting, each event waited for at most bound.
func exportingWithin(t *testing.T, w *remote.MemberWatch, bound time.Duration, name string, ids ...string) {
	t.Helper()
	left := map[string]bool{}
	for _, id := range ids {
		left[id] = true
	}
	for len(left) > 0 {
		ev := untilWithin(t, w, bound, func(ev remote.MemberEvent) bool {
			return ev.Change != remote.MemberLeft && left[ev.Member.ID] && ev.Member.Exports(name)
		})
		delete(left, ev.Member.ID)
	}
}

func ids(ms []remote.Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

// TestRegistryMembership: nodes that share only a NATS URL find each
// other; exports show in the leases; a node that closes leaves at once.
func TestRegistryMembership(t *testing.T) {
	url := jsServer(t, nil)
	a := member(t, url, "a")
	require.Equal(t, "a", a.ID())
	w := watch(t, a)
	ev := until(t, w, func(remote.MemberEvent) bool { return true })
	require.Equal(t, remote.MemberEvent{Change: remote.MemberJoined, Member: remote.Member{ID: "a", Names: []string{}}}, ev)

	b := member(t, url, "b")
	c := member(t, url, "c")
	ms, err := c.Members() // loaded by Start
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "c"}, ids(ms))
	until(t, w, func(ev remote.MemberEvent) bool { return ev.Change == remote.MemberJoined && ev.Member.ID == "c" })

	local, _ := collect[int](t, b.System(), 16)
	exp, err := remote.Export(b, "svc/work", local)
	require.NoError(t, err)
	ev = until(t, w, func(ev remote.MemberEvent) bool { return ev.Member.ID == "b" })
	require.Equal(t, remote.MemberUpdated, ev.Change)
	require.Equal(t, []string{"svc/work"}, ev.Member.Names)
	exps, err := a.Exporters("svc/work")
	require.NoError(t, err)
	require.Equal(t, []string{"b"}, exps)

	require.NoError(t, exp.Close())
	ev = until(t, w, func(ev remote.MemberEvent) bool { return ev.Member.ID == "b" })
	require.Equal(t, remote.MemberUpdated, ev.Change)
	require.Empty(t, ev.Member.Names)

	start := time.Now()
	require.NoError(t, b.Close(context.Background()))
	ev = until(t, w, func(ev remote.MemberEvent) bool { return ev.Member.ID == "b" })
	require.Equal(t, remote.MemberLeft, ev.Change)
	require.False(t, ev.Expired)
	t.Logf("closed node left after %v", time.Since(start))
	require.Less(t, time.Since(start), time.Second, "a closed node leaves at once")
	ms, err = a.Members()
	require.NoError(t, err)
	require.Equal(t, []string{"a", "c"}, ids(ms))

	// A node that closes ends its own watches with ErrClosed.
	wc := watch(t, c)
	require.NoError(t, c.Close(context.Background()))
	for range wc.Events() {
	}
	require.ErrorIs(t, wc.Err(), remote.ErrClosed)
	_, err = c.WatchMembers(1)
	require.ErrorIs(t, err, remote.ErrClosed)
}

// TestRegistryExpiry: a node that stops renewing (its connection closed
// abruptly, so Close never runs its removal) has its lease and names
// expire after its TTL; the others see it leave as expired.
func TestRegistryExpiry(t *testing.T) {
	url := jsServer(t, nil)
	a := member(t, url, "a")
	w := watch(t, a)
	d := member(t, url, "dying", remote.WithLeaseTTL(time.Second))
	local, _ := collect[int](t, d.System(), 16)
	_, err := remote.Export(d, "job", local)
	require.NoError(t, err)
	exporting(t, w, "job", "dying")

	d.Conn().Close() // dies: no removal, no renewal
	gone := time.Now()
	ev := until(t, w, func(ev remote.MemberEvent) bool { return ev.Member.ID == "dying" })
	took := time.Since(gone)
	require.Equal(t, remote.MemberLeft, ev.Change)
	require.True(t, ev.Expired)
	require.Equal(t, []string{"job"}, ev.Member.Names)
	t.Logf("lease expired %v after the node died (TTL 1s)", took)
	require.Less(t, took, 6*time.Second, "expiry took %v with a 1s TTL", took)
	exps, err := a.Exporters("job")
	require.NoError(t, err)
	require.Empty(t, exps)
}

// TestRegistryRenewal: a live node's lease outlives many TTLs.
func TestRegistryRenewal(t *testing.T) {
	url := jsServer(t, nil)
	a := member(t, url, "a")
	w := watch(t, a)
	member(t, url, "b", remote.WithLeaseTTL(time.Second))
	until(t, w, func(ev remote.MemberEvent) bool { return ev.Member.ID == "b" })
	select {
	case ev := <-w.Events():
		t.Fatalf("unexpected event %+v", ev)
	case <-time.After(3 * time.Second): // three TTLs
	}
	ms, err := a.Members()
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b"}, ids(ms))
}

// TestWatchOverflow: a watcher that falls behind has its channel closed
// with ErrWatchOverflow after the events it holds, never a silent drop.
func TestWatchOverflow(t *testing.T) {
	url := jsServer(t, nil)
	a := member(t, url, "a")
	w, err := a.WatchMembers(1) // room for the current member only
	require.NoError(t, err)
	defer w.Stop()
	big := watch(t, a)
	b := member(t, url, "b")
	local, _ := collect[int](t, b.System(), 1)
	_, err = remote.Export(b, "x", local)
	require.NoError(t, err)
	// Read w only after both changes were offered to it: big has seen
	// the second, and Members waits for the change to be applied.
	exporting(t, big, "x", "b")
	_, err = a.Members()
	require.NoError(t, err)
	var got []remote.MemberEvent
	for ev := range w.Events() {
		got = append(got, ev)
	}
	require.ErrorIs(t, w.Err(), remote.ErrWatchOverflow)
	require.Len(t, got, 1)
	require.Equal(t, "a", got[0].Member.ID)
}

// exporters starts count registry nodes exporting name into collectors
// and returns them with their Go channels.
func exporters(t *testing.T, url, name string, count int) ([]*remote.Node, []<-chan int) {
	t.Helper()
	var nodes []*remote.Node
	var outs []<-chan int
	for i := range count {
		n := member(t, url, fmt.Sprintf("n%d", i))
		local, out := collect[int](t, n.System(), 4096)
		_, err := remote.Export(n, name, local)
		require.NoError(t, err)
		nodes = append(nodes, n)
		outs = append(outs, out)
	}
	return nodes, outs
}

// quiet asserts that nothing more arrives on outs for a moment.
func quiet(t *testing.T, outs []<-chan int) {
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

// TestSelectAndBroadcast: a Channel send reaches exactly one exporter of
// the name; a Broadcast send reaches every exporter exactly once.
func TestSelectAndBroadcast(t *testing.T) {
	url := jsServer(t, nil)
	s := member(t, url, "sender")
	w := watch(t, s)
	_, outs := exporters(t, url, "work", 3)
	exporting(t, w, "work", "n0", "n1", "n2")

	sel, err := remote.Channel[int](s, "work")
	require.NoError(t, err)
	const k = 300
	for i := range k {
		require.NoError(t, sel.Send(i))
	}
	seen := map[int]int{}
	for range k {
		select {
		case v := <-outs[0]:
			seen[v]++
		case v := <-outs[1]:
			seen[v]++
		case v := <-outs[2]:
			seen[v]++
		case <-time.After(wait):
			t.Fatal("timed out")
		}
	}
	require.Len(t, seen, k)
	for v, c := range seen {
		require.Equal(t, 1, c, "event %d", v)
	}
	quiet(t, outs)

	all, err := remote.Broadcast[int](s, "work")
	require.NoError(t, err)
	require.Equal(t, "remote:work@all", all.Name())
	for i := range 50 {
		require.NoError(t, all.Send(i))
	}
	for _, out := range outs {
		for i := range 50 {
			require.Equal(t, i, receive(t, out)) // each once, in order
		}
	}
	quiet(t, outs)
}

// TestRegistryEmbedded: a node with its own embedded server enables
// JetStream in a temporary store that Close removes.
func TestRegistryEmbedded(t *testing.T) {
	sys, _ := newSystem(t)
	n, err := remote.Start(t.Context(), sys, remote.WithRegistry())
	require.NoError(t, err)
	require.Len(t, n.ID(), 16)
	ms, err := n.Members()
	require.NoError(t, err)
	require.Equal(t, []string{n.ID()}, ids(ms))
	dir := n.Server().JetStreamConfig().StoreDir
	require.DirExists(t, dir)
	require.NoError(t, n.Close(context.Background()))
	_, err = os.Stat(dir)
	require.ErrorIs(t, err, os.ErrNotExist)
}

// TestRegistryErrors: misuse is reported, not ignored.
func TestRegistryErrors(t *testing.T) {
	sys, _ := newSystem(t)
	plain := startNode(t, sys)
	_, err := plain.Members()
	require.ErrorIs(t, err, remote.ErrNoRegistry)
	_, err = plain.Exporters("x")
	require.ErrorIs(t, err, remote.ErrNoRegistry)
	_, err = plain.WatchMembers(1)
	require.ErrorIs(t, err, remote.ErrNoRegistry)
	require.Equal(t, "", plain.ID())

	_, err = remote.Start(t.Context(), sys, remote.WithRegistry(), remote.WithNodeID("a.b"))
	require.ErrorIs(t, err, remote.ErrInvalidName)
	_, err = remote.Start(t.Context(), sys, remote.WithRegistry(), remote.WithLeaseTTL(time.Millisecond))
	require.ErrorIs(t, err, remote.ErrStart)
	_, err = remote.Start(t.Context(), sys, remote.WithNodeID("a"))
	require.ErrorIs(t, err, remote.ErrStart)
	_, err = remote.NodeChannel[int](plain, "bad id", "x")
	require.ErrorIs(t, err, remote.ErrInvalidName)
	_, err = remote.Broadcast[int](plain, "a/*")
	require.ErrorIs(t, err, remote.ErrInvalidName)

	// A server without JetStream cannot hold a registry.
	noJS := tcpServer(t, nil)
	_, err = remote.Start(t.Context(), sys, remote.WithURL(noJS.ClientURL()), remote.WithRegistry(),
		remote.WithConnectTimeout(500*time.Millisecond))
	require.ErrorIs(t, err, remote.ErrStart)
}

// TestRegistryLeafNodes: nodes whose embedded servers are leaf nodes of
// one hub share the hub's JetStream registry (their own servers run no
// JetStream) and find each other's names.
func TestRegistryLeafNodes(t *testing.T) {
	var hubOpts *natsserver.Options
	jsServer(t, func(o *natsserver.Options) {
		o.LeafNode.Host, o.LeafNode.Port = "127.0.0.1", -1
		o.JetStreamDomain = "hub"
		hubOpts = o
	})
	hub := fmt.Sprintf("nats-leaf://127.0.0.1:%d", hubOpts.LeafNode.Port)
	sysA, _ := newSystem(t)
	sysB, _ := newSystem(t)
	a := startNode(t, sysA, remote.WithLeafNode(hub), remote.WithRegistry(), remote.WithNodeID("leaf-a"),
		remote.WithJetStreamDomain("hub"))
	require.False(t, a.Server().JetStreamEnabled())
	w := watch(t, a)
	b := startNode(t, sysB, remote.WithLeafNode(hub), remote.WithRegistry(), remote.WithNodeID("leaf-b"),
		remote.WithJetStreamDomain("hub"))
	local, got := collect[int](t, sysB, 16)
	_, err := remote.Export(b, "leafy", local)
	require.NoError(t, err)
	exporting(t, w, "leafy", "leaf-b")
	ms, err := b.Members()
	require.NoError(t, err)
	require.Equal(t, []string{"leaf-a", "leaf-b"}, ids(ms))

	// Interest crosses the leaf connections asynchronously: probe the
	// node subject until an event arrives.
	ch, err := remote.NodeChannel[int](a, "leaf-b", "leafy")
	require.NoError(t, err)
	first := time.Now()
	for {
		require.NoError(t, ch.Send(7))
		select {
		case v := <-got:
			require.Equal(t, 7, v)
		case <-time.After(5 * time.Millisecond):
			require.Less(t, time.Since(first), wait, "the node subject never became reachable")
			continue
		}
		break
	}

	require.NoError(t, b.Close(context.Background()))
	ev := until(t, w, func(ev remote.MemberEvent) bool { return ev.Member.ID == "leaf-b" })
	require.Equal(t, remote.MemberLeft, ev.Change)
	require.False(t, ev.Expired)
}

// TestRegistryNamespaces: each namespace has a registry of its own.
func TestRegistryNamespaces(t *testing.T) {
	url := jsServer(t, nil)
	a := member(t, url, "a")
	member(t, url, "b", remote.WithNamespace("other"))
	c := member(t, url, "c")
	ms, err := c.Members()
	require.NoError(t, err)
	require.Equal(t, []string{"a", "c"}, ids(ms))
	ms, err = a.Members()
	require.NoError(t, err)
	require.Contains(t, [][]string{{"a"}, {"a", "c"}}, ids(ms))
}
