package remote_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
	"github.com/reactors-go/reactors/server"
)

// adder serves v+k on n under name and returns the export.
func adder(t *testing.T, n *remote.Node, name string, k int) *remote.Exported {
	t.Helper()
	srv, err := server.Spawn(n.System(), func(v int) (int, error) { return v + k, nil })
	require.NoError(t, err)
	exp, err := remote.Serve(n, name, srv)
	require.NoError(t, err)
	return exp
}

// TestServeLease: served names are announced in the registry like
// exported ones and go away with the export's Close; a NodeClient asks
// the server of one node only.
func TestServeLease(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a := remotetest.Member(t, url, "a")
	b := remotetest.Member(t, url, "b")
	w := remotetest.Watch(t, b)
	expA := adder(t, a, "svc/add", 100)
	adder(t, b, "svc/add", 200)
	remotetest.Exporting(t, w, "svc/add", "a", "b")
	exps, err := b.Exporters("svc/add")
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b"}, exps)

	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for id, k := range map[string]int{"a": 100, "b": 200} {
		c, err := remote.NodeClient[int, int](b, id, "svc/add")
		require.NoError(t, err)
		require.Equal(t, "svc/add@"+id, c.Name())
		for i := range 20 {
			got, err := c.Ask(ctx, i)
			require.NoError(t, err)
			require.Equal(t, i+k, got, "node %s", id)
		}
	}
	nobody, err := remote.NodeClient[int, int](a, "c", "svc/add")
	require.NoError(t, err)
	_, err = nobody.Ask(ctx, 1)
	require.ErrorIs(t, err, remote.ErrNoServer)
	_, err = remote.NodeClient[int, int](a, "no.dots", "svc/add")
	require.ErrorIs(t, err, remote.ErrInvalidName)

	require.NoError(t, expA.Close())
	remotetest.Until(t, w, func(ev remote.MemberEvent) bool {
		return ev.Member.ID == "a" && ev.Change == remote.MemberUpdated && !ev.Member.Exports("svc/add")
	})
	exps, err = b.Exporters("svc/add")
	require.NoError(t, err)
	require.Equal(t, []string{"b"}, exps)
	// The lease was written after the unsubscription, on one connection.
	toA, err := remote.NodeClient[int, int](b, "a", "svc/add")
	require.NoError(t, err)
	_, err = toA.Ask(ctx, 1)
	require.ErrorIs(t, err, remote.ErrNoServer)
	// Any node serving the name still answers.
	any, err := remote.NewClient[int, int](a, "svc/add")
	require.NoError(t, err)
	got, err := any.Ask(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, 201, got)
}
