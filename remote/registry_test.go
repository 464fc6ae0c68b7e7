package remote_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

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
	url := remotetest.JetStreamServer(t, nil)
	a := remotetest.Member(t, url, "a")
	require.Equal(t, "a", a.ID())
	w := remotetest.Watch(t, a)
	ev := remotetest.Until(t, w, func(remote.MemberEvent) bool { return true })
	require.Equal(t, remote.MemberEvent{Change: remote.MemberJoined, Member: remote.Member{ID: "a", Names: []string{}}}, ev)

	b := remotetest.Member(t, url, "b")
	c := remotetest.Member(t, url, "c")
	ms, err := c.Members() // loaded by Start
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "c"}, ids(ms))
	remotetest.Until(t, w, func(ev remote.MemberEvent) bool { return ev.Change == remote.MemberJoined && ev.Member.ID == "c" })

	exp, _ := remotetest.Export[int](t, b, "svc/work", 16)
	ev = remotetest.Until(t, w, func(ev remote.MemberEvent) bool { return ev.Member.ID == "b" })
	require.Equal(t, remote.MemberUpdated, ev.Change)
	require.Equal(t, []string{"svc/work"}, ev.Member.Names)
	exps, err := a.Exporters("svc/work")
	require.NoError(t, err)
	require.Equal(t, []string{"b"}, exps)

	require.NoError(t, exp.Close())
	ev = remotetest.Until(t, w, func(ev remote.MemberEvent) bool { return ev.Member.ID == "b" })
	require.Equal(t, remote.MemberUpdated, ev.Change)
	require.Empty(t, ev.Member.Names)

	start := time.Now()
	require.NoError(t, b.Close(context.Background()))
	ev = remotetest.Until(t, w, func(ev remote.MemberEvent) bool { return ev.Member.ID == "b" })
	require.Equal(t, remote.MemberLeft, ev.Change)
	require.False(t, ev.Expired)
	t.Logf("closed node left after %v", time.Since(start))
	require.Less(t, time.Since(start), time.Second, "a closed node leaves at once")
	ms, err = a.Members()
	require.NoError(t, err)
	require.Equal(t, []string{"a", "c"}, ids(ms))

	// A node that closes ends its own watches with ErrClosed.
	wc := remotetest.Watch(t, c)
	require.NoError(t, c.Close(context.Background()))
	for range wc.Changes() {
	}
	require.ErrorIs(t, wc.Err(), remote.ErrClosed)
	_, err = c.WatchMembers(1)
	require.ErrorIs(t, err, remote.ErrClosed)
}

// TestRegistryExpiry: a node that stops renewing (its connection closed
// abruptly, so Close never runs its removal) has its lease and names
// expire after its TTL; the others see it leave as expired.
func TestRegistryExpiry(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a := remotetest.Member(t, url, "a")
	w := remotetest.Watch(t, a)
	d := remotetest.Member(t, url, "dying", remote.WithLeaseTTL(time.Second))
	remotetest.Export[int](t, d, "job", 16)
	remotetest.Exporting(t, w, "job", "dying")

	d.Conn().Close() // dies: no removal, no renewal
	gone := time.Now()
	ev := remotetest.Until(t, w, func(ev remote.MemberEvent) bool { return ev.Member.ID == "dying" })
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
	url := remotetest.JetStreamServer(t, nil)
	a := remotetest.Member(t, url, "a")
	w := remotetest.Watch(t, a)
	remotetest.Member(t, url, "b", remote.WithLeaseTTL(time.Second))
	remotetest.Until(t, w, func(ev remote.MemberEvent) bool { return ev.Member.ID == "b" })
	select {
	case ev := <-w.Changes():
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
	url := remotetest.JetStreamServer(t, nil)
	a := remotetest.Member(t, url, "a")
	w, err := a.WatchMembers(1) // room for the current member only
	require.NoError(t, err)
	defer w.Stop()
	big := remotetest.Watch(t, a)
	b := remotetest.Member(t, url, "b")
	remotetest.Export[int](t, b, "x", 1)
	// Read w only after both changes were offered to it: big has seen
	// the second, and Members waits for the change to be applied.
	remotetest.Exporting(t, big, "x", "b")
	_, err = a.Members()
	require.NoError(t, err)
	var got []remote.MemberEvent
	for ev := range w.Changes() {
		got = append(got, ev)
	}
	require.ErrorIs(t, w.Err(), remote.ErrWatchOverflow)
	require.Len(t, got, 1)
	require.Equal(t, "a", got[0].Member.ID)
}

// TestSelectAndBroadcast: a Channel send reaches exactly one exporter of
// the name; a Broadcast send reaches every exporter exactly once.
func TestSelectAndBroadcast(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	s := remotetest.Member(t, url, "sender")
	w := remotetest.Watch(t, s)
	_, outs := remotetest.Exporters(t, url, "work", 3)
	remotetest.Exporting(t, w, "work", "n0", "n1", "n2")

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
	remotetest.Quiet(t, outs)

	all, err := remote.Broadcast[int](s, "work")
	require.NoError(t, err)
	require.Equal(t, "remote:work@all", all.Name())
	for i := range 50 {
		require.NoError(t, all.Send(i))
	}
	for _, out := range outs {
		for i := range 50 {
			require.Equal(t, i, reactortest.Receive(t, out)) // each once, in order
		}
	}
	remotetest.Quiet(t, outs)
}

// TestRegistryEmbedded: a node with its own embedded server enables
// JetStream in a temporary store that Close removes.
func TestRegistryEmbedded(t *testing.T) {
	sys, _ := remotetest.System(t)
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
	sys, _ := remotetest.System(t)
	plain := remotetest.StartNode(t, sys)
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
	noJS := remotetest.Server(t, nil)
	_, err = remote.Start(t.Context(), sys, remote.WithURL(noJS.ClientURL()), remote.WithRegistry(),
		remote.WithConnectTimeout(500*time.Millisecond))
	require.ErrorIs(t, err, remote.ErrStart)
}

// TestRegistryLeafNodes: nodes whose embedded servers are leaf nodes of
// one hub share the hub's JetStream registry (their own servers run no
// JetStream) and find each other's names.
func TestRegistryLeafNodes(t *testing.T) {
	hub := remotetest.DomainHub(t, "hub")
	sysA, _ := remotetest.System(t)
	sysB, _ := remotetest.System(t)
	a := remotetest.StartNode(t, sysA, remote.WithLeafNode(hub), remote.WithRegistry(), remote.WithNodeID("leaf-a"),
		remote.WithJetStreamDomain("hub"))
	require.False(t, a.Server().JetStreamEnabled())
	w := remotetest.Watch(t, a)
	b := remotetest.StartNode(t, sysB, remote.WithLeafNode(hub), remote.WithRegistry(), remote.WithNodeID("leaf-b"),
		remote.WithJetStreamDomain("hub"))
	_, got := remotetest.Export[int](t, b, "leafy", 16)
	remotetest.Exporting(t, w, "leafy", "leaf-b")
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
	ev := remotetest.Until(t, w, func(ev remote.MemberEvent) bool { return ev.Member.ID == "leaf-b" })
	require.Equal(t, remote.MemberLeft, ev.Change)
	require.False(t, ev.Expired)
}

// TestRegistryNamespaces: each namespace has a registry of its own.
func TestRegistryNamespaces(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a := remotetest.Member(t, url, "a")
	remotetest.Member(t, url, "b", remote.WithNamespace("other"))
	c := remotetest.Member(t, url, "c")
	ms, err := c.Members()
	require.NoError(t, err)
	require.Equal(t, []string{"a", "c"}, ids(ms))
	ms, err = a.Members()
	require.NoError(t, err)
	require.Contains(t, [][]string{{"a"}, {"a", "c"}}, ids(ms))
}
