package dht_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/reactortest"
)

// TestStatsFollowKeysOperationsAndResizes reads a table's figures after
// puts, deletes, a batch and a resize.
func TestStatsFollowKeysOperationsAndResizes(t *testing.T) {
	sys := reactortest.NewSystem(t)
	ctx := context.Background()
	tb, err := dht.New[string, int](sys, 4, dht.StringKey, dht.WithName("kv"))
	require.NoError(t, err)
	sum := func(st dht.Stats) (keys int, ops uint64) {
		for _, s := range st.Shards {
			keys += s.Keys
			ops += s.Ops
		}
		return keys, ops
	}
	for i := range 100 {
		_, _, err := tb.Put(ctx, "k"+strconv.Itoa(i), i)
		require.NoError(t, err)
	}
	for i := range 10 {
		_, _, err := tb.Delete(ctx, "k"+strconv.Itoa(i))
		require.NoError(t, err)
	}
	batch := make([]dht.KV[string, int], 20)
	for i := range batch {
		batch[i] = dht.KV[string, int]{Key: "b" + strconv.Itoa(i), Value: i}
	}
	_, err = tb.MultiPut(ctx, batch)
	require.NoError(t, err)

	st := tb.Stats()
	require.Equal(t, "kv", st.Name)
	require.Equal(t, uint32(1), st.Epoch)
	require.Zero(t, st.Resizes)
	require.Len(t, st.Shards, 4)
	keys, ops := sum(st)
	require.Equal(t, 110, keys)
	require.Equal(t, uint64(130), ops, "100 puts, 10 deletes, 20 batch items")

	require.NoError(t, tb.Resize(ctx, 6))
	n, err := tb.Len(ctx) // every shard serves the new layout once Len returns
	require.NoError(t, err)
	require.Equal(t, 110, n)
	st = tb.Stats()
	require.Equal(t, uint32(2), st.Epoch)
	require.Equal(t, uint64(1), st.Resizes)
	require.Len(t, st.Shards, 6)
	keys, _ = sum(st)
	require.Equal(t, 110, keys, "keys moved, none lost or doubled")
	require.NotZero(t, st.Shards[5].Keys, "the new shard took its share")
}
