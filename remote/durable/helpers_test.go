package durable_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/durable"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

// wait bounds every wait of a test.
const wait = reactortest.Patience

// node starts a node of a system of its own as a client of the server at
// url, reconnecting every 10 ms without giving up; it returns the node and
// the system's dead letters.
func node(t *testing.T, url string, opts ...remote.Option) (*remote.Node, <-chan reactor.DeadLetter) {
	t.Helper()
	sys, dead := remotetest.System(t)
	opts = append([]remote.Option{remote.WithURL(url), remote.WithReconnect(10*time.Millisecond, -1)}, opts...)
	return remotetest.StartNode(t, sys, opts...), dead
}

// got is a delivery as a collector saw it.
type got struct {
	Value   int
	ID      string
	Attempt int
}

// collect spawns a reactor of sys that acknowledges every delivery and
// forwards it to the returned Go channel (room for size).
func collect(t *testing.T, sys *reactor.System, size int) (reactor.Channel[durable.Delivery[int]], <-chan got) {
	t.Helper()
	out := make(chan got, size)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[durable.Delivery[int]]) {
		r.Main().Events().OnEvent(func(d durable.Delivery[int]) {
			out <- got{d.Value, d.ID, d.Attempt}
			d.Ack()
		})
	})
	require.NoError(t, err)
	return ch, out
}

// export exports name on n into a collect reactor, closing the export when
// the test ends.
func export(t *testing.T, n *remote.Node, name string, cfg durable.Config[int]) (*durable.Exported, <-chan got) {
	t.Helper()
	ch, out := collect(t, n.System(), 4096)
	x, err := durable.Export(t.Context(), n, name, ch, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { closeExport(t, x) })
	return x, out
}

// closeExport closes x within wait.
func closeExport(t *testing.T, x *durable.Exported) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, x.Close(ctx))
}

// channel returns a durable channel of n for name.
func channel(t *testing.T, n *remote.Node, name string, cfg durable.Config[int]) reactor.Channel[int] {
	t.Helper()
	ch, err := durable.Channel(t.Context(), n, name, cfg)
	require.NoError(t, err)
	return ch
}

// receiveValues reads count deliveries from out and returns their values.
func receiveValues(t *testing.T, out <-chan got, count int) []int {
	t.Helper()
	var vs []int
	for range count {
		vs = append(vs, reactortest.Receive(t, out).Value)
	}
	return vs
}

// quiet fails the test if a delivery arrives on out within d.
func quiet(t *testing.T, out <-chan got, d time.Duration) {
	t.Helper()
	select {
	case g := <-out:
		t.Fatalf("unexpected delivery %+v", g)
	case <-time.After(d):
	}
}

// seq returns lo, lo+1, ..., hi-1.
func seq(lo, hi int) []int {
	var vs []int
	for i := lo; i < hi; i++ {
		vs = append(vs, i)
	}
	return vs
}
