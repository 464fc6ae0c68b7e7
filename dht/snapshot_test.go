package dht_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/dht"
)

func TestRangeVisitsEveryKey(t *testing.T) {
	sys, _ := newSystem(t)
	tb := newTable(t, sys, 8)
	ctx := context.Background()
	want := fill(t, tb, 1000)
	got := map[string]int{}
	require.NoError(t, tb.Range(ctx, func(k string, v int) bool {
		_, dup := got[k]
		require.False(t, dup, "key %q visited twice", k)
		got[k] = v
		// f may use the table: the shards are no longer held.
		w, ok, err := tb.Get(ctx, k)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, v, w)
		return true
	}))
	require.Equal(t, want, got)

	calls := 0
	require.NoError(t, tb.Range(ctx, func(string, int) bool { calls++; return calls < 5 }))
	require.Equal(t, 5, calls, "f returning false stops Range")

	empty := newTable(t, sys, 3)
	require.NoError(t, empty.Range(ctx, func(string, int) bool { t.Fatal("called on an empty table"); return false }))
}

// TestRangeIsASnapshot runs writers that each put their keys w-0, w-1,
// ... one after another (each Put returns before the next starts), spread
// over every shard, while Ranges run. In a snapshot each writer's keys
// form a prefix: a key present means every earlier key of its writer is
// too. A scan that copied the shards at different moments, each while
// the others took writes, would show later keys without earlier ones.
func TestRangeIsASnapshot(t *testing.T) {
	const writers, perWriter = 3, 3000
	sys, _ := newSystem(t)
	tb := newTable(t, sys, 8)
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for j := range perWriter {
				_, _, err := tb.Put(ctx, fmt.Sprintf("%d-%d", w, j), j)
				require.NoError(t, err)
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	snapshots, partial := 0, 0
	for running := true; running; snapshots++ {
		select {
		case <-done:
			running = false // one last snapshot of the full table
		default:
		}
		seen := make([][]bool, writers)
		for w := range seen {
			seen[w] = make([]bool, perWriter)
		}
		require.NoError(t, tb.Range(ctx, func(k string, v int) bool {
			var w, j int
			_, err := fmt.Sscanf(k, "%d-%d", &w, &j)
			require.NoError(t, err)
			require.Equal(t, j, v)
			seen[w][j] = true
			return true
		}))
		for w, s := range seen {
			n := 0
			for n < perWriter && s[n] {
				n++
			}
			for j := n; j < perWriter; j++ {
				require.False(t, s[j], "snapshot %d: writer %d's key %d without its key %d", snapshots, w, j, n)
			}
			if n > 0 && n < perWriter {
				partial++
			}
			if !running {
				require.Equal(t, perWriter, n, "the last snapshot holds every key")
			}
		}
	}
	require.Positive(t, partial, "some snapshots were taken while the writers ran")
	t.Logf("%d snapshots, %d writer prefixes cut mid-run", snapshots, partial)
}

// TestRangeContextEnd holds one shard busy so that Range cannot hold it,
// lets Range's context expire, and checks that Range fails with it, that
// every shard it held was let go, and that the busy shard, which gets
// Range's hold after Range gave up, lets itself go.
func TestRangeContextEnd(t *testing.T) {
	sys, _ := newSystem(t)
	tb := newTable(t, sys, 4)
	want := fill(t, tb, 200)
	h := holdShards(t, tb)
	for s := range 3 {
		h.free(s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := tb.Range(ctx, func(string, int) bool { t.Fatal("f called after a failed Range"); return false })
	require.ErrorIs(t, err, context.DeadlineExceeded)
	h.free(3)
	check, stop := context.WithTimeout(context.Background(), 10*time.Second) // a held shard would never answer
	defer stop()
	for k, v := range h.contents(want) {
		got, ok, err := tb.Get(check, k)
		require.NoError(t, err, "key %q: its shard still held", k)
		require.True(t, ok)
		require.Equal(t, v, got)
	}
	n := 0
	require.NoError(t, tb.Range(check, func(string, int) bool { n++; return true }))
	require.Equal(t, len(h.contents(want)), n)
}

func TestRangeClosedTable(t *testing.T) {
	sys, _ := newSystem(t)
	tb, err := dht.New[string, int](sys, 2, dht.StringKey)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, tb.Close(ctx))
	require.ErrorIs(t, tb.Range(ctx, func(string, int) bool { return true }), dht.ErrClosed)
}
