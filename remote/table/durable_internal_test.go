package table

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

// TestStoreIsFencedByTheLayout checks the fence of a durable write: a
// write conditioned on the layout a member served is stored while that
// layout is the newest, and refused, storing nothing, once the layout
// changed (here, a second member joined).
func TestStoreIsFencedByTheLayout(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), reactortest.Patience)
	defer cancel()
	n1 := remotetest.Member(t, url, "n1")
	t1, err := Open[string, int](ctx, n1, "kv", dht.StringKey, Config[int]{})
	require.NoError(t, err)
	defer t1.Close(ctx)
	t1.mu.RLock()
	old := t1.cur.rev
	t1.mu.RUnlock()
	require.NotZero(t, old)

	fenced, err := t1.store(ctx, "k", 1, false, old)
	require.NoError(t, err)
	require.False(t, fenced, "the layout is still the newest")

	n2 := remotetest.Member(t, url, "n2")
	t2, err := Open[string, int](ctx, n2, "kv", dht.StringKey, Config[int]{})
	require.NoError(t, err)
	defer t2.Close(ctx)

	fenced, err = t1.store(ctx, "k", 2, false, old)
	require.NoError(t, err)
	require.True(t, fenced, "a write of the old layout is refused")
	fenced, err = t1.store(ctx, "k", 0, true, old)
	require.NoError(t, err)
	require.True(t, fenced, "a deletion too")

	key, err := dataKey("k")
	require.NoError(t, err)
	e, err := t1.kv.Get(ctx, key)
	require.NoError(t, err)
	require.Equal(t, "1", string(e.Value()), "the refused writes stored nothing")

	ok, _, err := t1.barrier(ctx, old)
	require.NoError(t, err)
	require.False(t, ok, "the barrier of the old layout fails")
}

// TestEarlierLifeServesNothing checks the guard of a node that opened a
// table whose layout still lists it from an earlier life: until it has
// left that layout it answers "not ready", not from its empty memory.
func TestEarlierLifeServesNothing(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), reactortest.Patience)
	defer cancel()
	tb, err := Open[string, int](ctx, remotetest.Member(t, url, "n1"), "kv", dht.StringKey, Config[int]{})
	require.NoError(t, err)
	defer tb.Close(ctx)
	_, _, err = tb.Put(ctx, "k", 1)
	require.NoError(t, err)
	h, err := tb.hash("k")
	require.NoError(t, err)
	get := func() reply[int] {
		tb.mu.RLock()
		q := request[string, int]{Op: opGet, Key: "k", Epoch: tb.cur.Epoch}
		tb.mu.RUnlock()
		return tb.apply(ctx, &q, h)
	}
	tb.mu.Lock()
	tb.earlier = true
	tb.mu.Unlock()
	require.Equal(t, codeNotReady, get().Code)
	tb.mu.Lock()
	tb.earlier = false
	tb.mu.Unlock()
	r := get()
	require.Equal(t, codeOK, r.Code)
	require.Equal(t, 1, r.Val)
}
