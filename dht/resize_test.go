package dht_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// requirePlacement checks that every shard of tb holds exactly the keys
// of want that Jump places on it.
func requirePlacement(t *testing.T, tb *dht.Table[string, int], want map[string]int) {
	t.Helper()
	n := tb.Shards()
	per := make([]int, n)
	for k := range want {
		per[dht.Jump(dht.StringKey(k), n)]++
	}
	for s := range n {
		got, err := dht.ShardLen(tb, s)
		require.NoError(t, err)
		require.Equal(t, per[s], got, "keys of shard %d of %d", s, n)
	}
}

// resizer grows and shrinks a table through sizes, over and over, on a
// goroutine of its own, until stopped.
type resizer struct {
	n    atomic.Int64 // resizes done
	stop chan struct{}
	done chan error
}

func startResizer(tb *dht.Table[string, int], sizes ...int) *resizer {
	rs := &resizer{stop: make(chan struct{}), done: make(chan error, 1)}
	go func() {
		for i := 0; ; i++ {
			select {
			case <-rs.stop:
				rs.done <- nil
				return
			default:
			}
			if err := tb.Resize(context.Background(), sizes[i%len(sizes)]); err != nil {
				rs.done <- err
				return
			}
			rs.n.Add(1)
		}
	}()
	return rs
}

// end stops the resizer and returns how many resizes it did.
func (rs *resizer) end(t *testing.T) int64 {
	t.Helper()
	close(rs.stop)
	require.NoError(t, <-rs.done)
	return rs.n.Load()
}

// TestResizeKeepsEveryKey grows and shrinks a table through a sequence
// of shard counts and checks after each step that every key keeps its
// value and lives on its placement shard, and that absent keys stay
// absent.
func TestResizeKeepsEveryKey(t *testing.T) {
	sys, failures := newSystem(t)
	tb := newTable(t, sys, 4)
	ctx := context.Background()
	want := fill(t, tb, 2000)
	absent := []string{"absent-1", "absent-2", "absent-3"}
	for _, n := range []int{7, 16, 5, 1, 9, 9, 32, 2} {
		require.NoError(t, tb.Resize(ctx, n))
		require.Equal(t, n, tb.Shards())
		requireContents(t, tb, want, absent...)
		requirePlacement(t, tb, want)
		for i := 0; i < 50; i++ { // the resized table takes writes
			k := fmt.Sprintf("key-%d", i)
			want[k] = want[k] + n
			_, _, err := tb.Put(ctx, k, want[k])
			require.NoError(t, err)
		}
	}
	require.Zero(t, failures.Load())
}

// TestResizeMovesOnlyJumpsShare counts the keys each shard holds before
// and after growing by one: the new shard takes about 1/(n+1) of them and
// every old shard only loses keys.
func TestResizeMovesOnlyJumpsShare(t *testing.T) {
	sys, _ := newSystem(t)
	tb := newTable(t, sys, 8)
	want := fill(t, tb, 9000)
	before := make([]int, 8)
	for s := range before {
		n, err := dht.ShardLen(tb, s)
		require.NoError(t, err)
		before[s] = n
	}
	require.NoError(t, tb.Resize(context.Background(), 9))
	moved := 0
	for s := range 8 {
		n, err := dht.ShardLen(tb, s)
		require.NoError(t, err)
		require.LessOrEqual(t, n, before[s], "shard %d gained keys", s)
		moved += before[s] - n
	}
	added, err := dht.ShardLen(tb, 8)
	require.NoError(t, err)
	require.Equal(t, moved, added)
	require.InDelta(t, 9000.0/9, float64(added), 9000*0.02)
	requireContents(t, tb, want)
}

func TestResizeBadArgumentsAndClosedTable(t *testing.T) {
	sys, _ := newSystem(t)
	tb, err := dht.New[string, int](sys, 3, dht.StringKey)
	require.NoError(t, err)
	ctx := context.Background()
	require.ErrorIs(t, tb.Resize(ctx, 0), dht.ErrShards)
	canceled, cancel := context.WithCancelCause(ctx)
	cause := fmt.Errorf("stop now")
	cancel(cause)
	require.ErrorIs(t, tb.Resize(canceled, 5), cause)
	require.Equal(t, 3, tb.Shards(), "a canceled resize changes nothing")
	require.NoError(t, tb.Resize(ctx, 3)) // same count: nothing to do
	require.NoError(t, tb.Close(ctx))
	require.ErrorIs(t, tb.Resize(ctx, 5), dht.ErrClosed)
}

// TestResizeNames checks that added shards continue the naming and that
// a shard removed by Resize gives its name back before Resize returns,
// so that growing again can reuse it.
func TestResizeNames(t *testing.T) {
	sys, _ := newSystem(t)
	tb, err := dht.New[string, int](sys, 2, dht.StringKey, dht.WithName("users"))
	require.NoError(t, err)
	defer func() { require.NoError(t, tb.Close(context.Background())) }()
	ctx := context.Background()
	want := fill(t, tb, 300)
	require.NoError(t, tb.Resize(ctx, 4))
	quit := func(r *reactor.Reactor[int]) { r.Main().Seal() }
	for _, name := range []string{"users-2", "users-3"} {
		_, err := reactor.Spawn(sys, quit, reactor.WithName(name))
		require.Error(t, err, "%s is a live shard's name", name)
	}
	require.NoError(t, tb.Resize(ctx, 2))
	ch, err := reactor.Spawn(sys, quit, reactor.WithName("users-3"))
	require.NoError(t, err, "a removed shard's name is free")
	<-ch.Done()
	require.NoError(t, tb.Resize(ctx, 5)) // spawns users-2..users-4 again
	requireContents(t, tb, want)
}

// TestResizeWhileBatching runs MultiPut and MultiGet rounds over many
// shards while the table grows and shrinks: every batch sees the
// previous round's values, whatever moved meanwhile.
func TestResizeWhileBatching(t *testing.T) {
	sys, _ := newSystem(t)
	tb := newTable(t, sys, 3)
	ctx := context.Background()
	keys := make([]string, 400)
	kvs := make([]dht.KV[string, int], len(keys))
	for i := range keys {
		keys[i] = fmt.Sprintf("b-%d", i)
		kvs[i] = dht.KV[string, int]{Key: keys[i], Value: i}
	}
	_, err := tb.MultiPut(ctx, kvs)
	require.NoError(t, err)
	// The batches run until they have seen enough resizes.
	rs := startResizer(tb, 6, 2, 11, 4)
	for round := 1; ; round++ {
		if round > 20 && rs.n.Load() >= 20 {
			rs.end(t)
			return
		}
		for i := range kvs {
			kvs[i].Value = round*1000 + i
		}
		prev, err := tb.MultiPut(ctx, kvs)
		require.NoError(t, err)
		got, err := tb.MultiGet(ctx, keys)
		require.NoError(t, err)
		for i := range keys {
			require.Equal(t, dht.Result[int]{Value: (round-1)*1000 + i, Found: true}, prev[i], "round %d key %d", round, i)
			require.Equal(t, dht.Result[int]{Value: round*1000 + i, Found: true}, got[i], "round %d key %d", round, i)
		}
	}
}

// TestLenAcrossResizes counts a table of fixed contents with Len and,
// from a reactor, LenIn, while the table grows and shrinks: every count
// is exact, though keys move between the shards while they are counted.
//
// The counting reactor never blocks (a handler must not): it hands its
// counts to the test over a channel with room for all of them, and when
// the test falls behind it waits on the reactor's clock before it counts
// again. With one processor, a worker that always has turns to run lets
// plain goroutines (the test, the resizer) run only when the Go runtime
// preempts it; a reactor that blocked on a full channel there held the
// only worker while the test waited for a reply from the table.
func TestLenAcrossResizes(t *testing.T) {
	const keys = 500
	sys, _ := newSystem(t)
	tb := newTable(t, sys, 3)
	ctx := context.Background()
	fill(t, tb, keys)
	rs := startResizer(tb, 8, 1, 5, 13, 2)
	const most, behind = 1 << 16, 64
	counts := make(chan int, most)
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[struct{}]) {
		end := func() {
			close(counts)
			r.Main().Seal()
		}
		var next func(i int)
		next = func(i int) {
			switch {
			case i >= 200 && rs.n.Load() >= 30, i == most:
				end()
				return
			case len(counts) > behind:
				reactor.After(r, time.Millisecond).OnEvent(func(struct{}) { next(i) })
				return
			}
			tb.LenIn(r).Subscribe(&events.Funcs[int]{
				Event: func(n int) { counts <- n; next(i + 1) },
				Error: func(err error) { t.Error(err); end() },
			})
		}
		next(0)
	})
	require.NoError(t, err)
	in := 0
	for n := range counts {
		require.Equal(t, keys, n, "LenIn")
		in++
		got, err := tb.Len(ctx)
		require.NoError(t, err)
		require.Equal(t, keys, got, "Len")
	}
	require.GreaterOrEqual(t, in, 200)
	rs.end(t)
}

// TestBackToBackResizesCannotStarveAnOperation resizes the table, between
// two and three shards, at every placement of a Put whose key moves at
// each such resize, as a resizing goroutine that always wins the race
// would: the Put is moved twice, then holds the next Resize off while it
// is placed again, and completes; that Resize runs once the Put is
// applied.
func TestBackToBackResizesCannotStarveAnOperation(t *testing.T) {
	sys, _ := newSystem(t)
	tb := newTable(t, sys, 2)
	ctx := context.Background()
	key := ""
	for i := 0; key == ""; i++ {
		if k := fmt.Sprintf("k-%d", i); dht.Jump(dht.StringKey(k), 3) == 2 {
			key = k
		}
	}
	armed, placements, size := true, 0, 2
	held := make([]bool, 0, 3)
	pending := make(chan error, 1)
	dht.SetPlacing(t, func(h bool) {
		if !armed {
			return
		}
		placements++
		held = append(held, h)
		require.LessOrEqual(t, placements, 3, "placed again while it held Resizes off")
		size = 5 - size // 2 and 3 in turn: the key moves every time
		if h {
			go func() { pending <- tb.Resize(ctx, size) }() // waits for the Put
			return
		}
		require.NoError(t, tb.Resize(ctx, size)) // moves the key under the Put
	})
	_, found, err := tb.Put(ctx, key, 1)
	armed = false
	require.NoError(t, err)
	require.False(t, found)
	require.Equal(t, []bool{false, false, true}, held, "the third placement holds Resizes off")
	require.NoError(t, <-pending, "the Resize held off runs after the Put")
	require.Equal(t, size, tb.Shards())
	v, found, err := tb.Get(ctx, key)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, 1, v)
}
