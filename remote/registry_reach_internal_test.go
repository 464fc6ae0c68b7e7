package remote

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
)

// leaseEntry is a registry bucket entry: a lease written (m set) or
// removed.
type leaseEntry struct {
	jetstream.KeyValueEntry
	key  string
	data []byte
	op   jetstream.KeyValueOp
}

func (e leaseEntry) Key() string                     { return e.key }
func (e leaseEntry) Value() []byte                   { return e.data }
func (e leaseEntry) Operation() jetstream.KeyValueOp { return e.op }

func put(t *testing.T, id string, names ...string) leaseEntry {
	t.Helper()
	data, err := json.Marshal(Member{ID: id, Names: append([]string{}, names...)})
	require.NoError(t, err)
	return leaseEntry{key: id, data: data, op: jetstream.KeyValuePut}
}

// reachRegistry returns the registry of member "self" over a node whose
// embedded server is the only one (without it: a WithURL node), and a
// watch of it.
func reachRegistry(t *testing.T, embedded bool) (*registry, *MemberWatch, *Node) {
	t.Helper()
	sys := reactor.New(reactor.WithLogger(zerolog.Nop()))
	n, err := Start(t.Context(), sys)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, n.Close(ctx))
		require.NoError(t, sys.Shutdown(ctx))
	})
	view := &Node{sys: sys, ns: n.ns}
	if embedded {
		view.srv = n.srv
	}
	r := &registry{n: view, id: "self", members: map[string]Member{}, pending: map[string]Member{},
		watchers: map[*MemberWatch]struct{}{}}
	w := &MemberWatch{ch: make(chan MemberEvent, 16), r: r}
	r.watchers[w] = struct{}{}
	return r, w, n
}

// subscribeNode subscribes the node subject of name on member id on the
// embedded server of r's node, as that member's export would, and
// returns once the server holds the subscription.
func subscribeNode(t *testing.T, n *Node, id, name string) {
	t.Helper()
	subj, err := Subject(n.ns, name)
	require.NoError(t, err)
	sub, err := n.nc.Subscribe(nodeSubject(n.ns, subj, id), func(*nats.Msg) {})
	require.NoError(t, err)
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	require.NoError(t, n.nc.Flush())
}

func nextEvent(t *testing.T, w *MemberWatch) MemberEvent {
	t.Helper()
	select {
	case ev := <-w.ch:
		return ev
	default:
		t.Fatal("no event")
		return MemberEvent{}
	}
}

func noEvent(t *testing.T, w *MemberWatch) {
	t.Helper()
	select {
	case ev := <-w.ch:
		t.Fatalf("unexpected event %+v", ev)
	default:
	}
}

// TestRegistryListsNameOnceRoutable: a node with an embedded server
// lists another member's name only once its server routes to that
// member's export of it; the member itself is listed at once, and its
// own node lists its names as its lease says.
func TestRegistryListsNameOnceRoutable(t *testing.T) {
	r, w, n := reachRegistry(t, true)
	exporters := func(name string) []string {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.exportersLocked(name)
	}

	r.apply(put(t, "x", "svc/a", "svc/b"))
	require.Equal(t, MemberEvent{Change: MemberJoined, Member: Member{ID: "x", Names: []string{}}}, nextEvent(t, w))
	require.Empty(t, exporters("svc/a"))
	require.True(t, r.hasPending())
	r.promote()
	noEvent(t, w)

	subscribeNode(t, n, "x", "svc/b")
	r.promote()
	require.Equal(t, MemberEvent{Change: MemberUpdated, Member: Member{ID: "x", Names: []string{"svc/b"}}}, nextEvent(t, w))
	require.Equal(t, []string{"x"}, exporters("svc/b"))
	require.True(t, r.hasPending())

	r.apply(put(t, "x", "svc/a", "svc/b")) // a renewal
	noEvent(t, w)
	subscribeNode(t, n, "x", "svc/a")
	r.promote()
	require.Equal(t, MemberEvent{Change: MemberUpdated, Member: Member{ID: "x", Names: []string{"svc/a", "svc/b"}}}, nextEvent(t, w))
	require.False(t, r.hasPending())
	r.promote()
	noEvent(t, w)

	r.apply(put(t, "x", "svc/b", "svc/c")) // svc/a closed, svc/c not routable yet
	require.Equal(t, MemberEvent{Change: MemberUpdated, Member: Member{ID: "x", Names: []string{"svc/b"}}}, nextEvent(t, w))
	require.True(t, r.hasPending())
	r.apply(leaseEntry{key: "x", op: jetstream.KeyValueDelete})
	require.Equal(t, MemberEvent{Change: MemberLeft, Member: Member{ID: "x", Names: []string{"svc/b"}}}, nextEvent(t, w))
	require.False(t, r.hasPending(), "a member that left has nothing pending")

	r.apply(put(t, "self", "mine"))
	require.Equal(t, MemberEvent{Change: MemberJoined, Member: Member{ID: "self", Names: []string{"mine"}}}, nextEvent(t, w))
	require.False(t, r.hasPending())
}

// TestRegistryWithoutServerListsLeases: a node without an embedded
// server (WithURL) cannot see its server's interest: it lists every name
// as the lease says.
func TestRegistryWithoutServerListsLeases(t *testing.T) {
	r, w, _ := reachRegistry(t, false)
	r.apply(put(t, "x", "svc/a"))
	require.Equal(t, MemberEvent{Change: MemberJoined, Member: Member{ID: "x", Names: []string{"svc/a"}}}, nextEvent(t, w))
	require.False(t, r.hasPending())
}
