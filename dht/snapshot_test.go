package dht_test

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
//
// The writers run until the snapshots are taken, at most window Puts
// ahead of the last snapshot; before each snapshot the test waits until
// more Puts have returned than the previous snapshot held, so every
// snapshot is taken while the writers run and holds more keys than the
// one before.
func TestRangeIsASnapshot(t *testing.T) {
	const writers, snapshots, window = 3, 20, 2000
	const limit = (snapshots + 2) * window // keys per writer: more than they can reach
	sys, _ := newSystem(t)
	tb := newTable(t, sys, 8)
	ctx := context.Background()
	var wg sync.WaitGroup
	var returned atomic.Int64 // Puts that have returned
	var held atomic.Int64     // keys of the last snapshot
	wrote := make([]int, writers)
	stop := make(chan struct{})
	for w := range writers {
		wg.Go(func() {
			for j := range limit {
				select {
				case <-stop:
					wrote[w] = j
					return
				default:
				}
				for returned.Load() >= held.Load()+window { // far enough ahead
					select {
					case <-stop:
						wrote[w] = j
						return
					default:
						runtime.Gosched()
					}
				}
				_, _, err := tb.Put(ctx, fmt.Sprintf("%d-%d", w, j), j)
				require.NoError(t, err)
				returned.Add(1)
			}
			wrote[w] = limit
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	// snapshot takes a Range, checks the prefixes and returns them.
	snapshot := func(i int) []int {
		seen := make([][]bool, writers)
		for w := range seen {
			seen[w] = make([]bool, limit)
		}
		require.NoError(t, tb.Range(ctx, func(k string, v int) bool {
			ws, js, _ := strings.Cut(k, "-")
			w, err1 := strconv.Atoi(ws)
			j, err2 := strconv.Atoi(js)
			if err1 != nil || err2 != nil || j != v {
				t.Errorf("key %q holds %d", k, v)
				return false
			}
			seen[w][j] = true
			return true
		}))
		prefix := make([]int, writers)
		for w, s := range seen {
			n := 0
			for n < limit && s[n] {
				n++
			}
			for j := n; j < limit; j++ {
				require.False(t, s[j], "snapshot %d: writer %d's key %d without its key %d", i, w, j, n)
			}
			prefix[w] = n
		}
		return prefix
	}
	sum := func(xs []int) (n int) {
		for _, x := range xs {
			n += x
		}
		return n
	}
	taken := 0
	for ; taken < snapshots; taken++ {
		for returned.Load() <= held.Load() { // wait for progress past the last snapshot
			select {
			case <-done:
				t.Fatalf("the writers reached %d keys each before %d snapshots", limit, snapshots)
			default:
				runtime.Gosched()
			}
		}
		n := int64(sum(snapshot(taken)))
		require.Greater(t, n, held.Load(), "snapshot %d holds the Puts returned before it", taken)
		held.Store(n)
	}
	close(stop)
	<-done
	require.Equal(t, wrote, snapshot(taken), "the last snapshot holds every key")
	t.Logf("%d snapshots while %d keys were written", taken, sum(wrote))
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
