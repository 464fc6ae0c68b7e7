package follow_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
)

// wait bounds every wait of a test.
const wait = 10 * time.Second

// newSystem returns a quiet system that is shut down when the test ends.
func newSystem(t *testing.T) *reactor.System {
	t.Helper()
	sys := reactor.New(reactor.WithLogger(zerolog.Nop()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		require.NoError(t, sys.Shutdown(ctx))
	})
	return sys
}

// startNode starts a node of sys that is closed when the test ends (if the
// test did not close it).
func startNode(t *testing.T, sys *reactor.System, opts ...remote.Option) *remote.Node {
	t.Helper()
	n, err := remote.Start(t.Context(), sys, opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := n.Close(ctx); err != nil {
			require.ErrorIs(t, err, remote.ErrClosed)
		}
	})
	return n
}

// jsServer starts a NATS server with JetStream listening on 127.0.0.1 on
// a random port, shut down when the test ends, and returns its client
// URL.
func jsServer(t *testing.T) string {
	t.Helper()
	o := &natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true,
		JetStream: true, StoreDir: t.TempDir()}
	s, err := natsserver.NewServer(o)
	require.NoError(t, err)
	s.Start()
	require.True(t, s.ReadyForConnections(wait))
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return s.ClientURL()
}

// member starts a node of its own system with a registry, as a client of
// the server at url.
func member(t *testing.T, url, id string, opts ...remote.Option) *remote.Node {
	t.Helper()
	opts = append([]remote.Option{remote.WithURL(url), remote.WithRegistry(), remote.WithNodeID(id)}, opts...)
	return startNode(t, newSystem(t), opts...)
}

// collect spawns a reactor of sys that forwards every event to the
// returned Go channel (capacity size).
func collect[T any](t *testing.T, sys *reactor.System, size int) (reactor.Channel[T], <-chan T) {
	t.Helper()
	out := make(chan T, size)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[T]) {
		r.Main().Events().OnEvent(func(v T) { out <- v })
	})
	require.NoError(t, err)
	return ch, out
}

// receive returns the next value of ch, failing the test after wait.
func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatal("timed out waiting for a value")
		panic("unreachable")
	}
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
	deadline := time.After(wait)
	for {
		select {
		case ev, open := <-w.Events():
			require.True(t, open, "watch closed: %v", w.Err())
			if ok(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("timed out waiting for a member event")
		}
	}
}

// exporting waits until w reports that every node of ids exports name.
func exporting(t *testing.T, w *remote.MemberWatch, name string, ids ...string) {
	t.Helper()
	left := map[string]bool{}
	for _, id := range ids {
		left[id] = true
	}
	for len(left) > 0 {
		ev := until(t, w, func(ev remote.MemberEvent) bool {
			return ev.Change != remote.MemberLeft && left[ev.Member.ID] && ev.Member.Exports(name)
		})
		delete(left, ev.Member.ID)
	}
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
