package dht_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
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

// movingKeys returns n keys of the string table whose shard changes at
// every resize between two and three shards (shard 2 of 3), and, if
// four, whose shard of four is 3.
func movingKeys(n int, four bool) []string {
	var keys []string
	for i := 0; len(keys) < n; i++ {
		k := fmt.Sprintf("k-%d", i)
		h := dht.StringKey(k)
		if dht.Jump(h, 3) == 2 && (!four || dht.Jump(h, 4) == 3) {
			keys = append(keys, k)
		}
	}
	return keys
}

// placement is what a test saw at one placement of an operation.
type placement struct {
	held  bool // the placement holds Resizes off
	admin bool // the table's admin token is taken
}

// TestBackToBackResizesCannotStarveAnOperation resizes the table, between
// two and three shards, at every placement of a blocking operation whose
// keys move at each such resize, as a resizing goroutine that always wins
// the race would: the operation is moved twice, then holds the next
// Resize off (the table's admin token taken) while it is placed again,
// and completes; that Resize runs once the operation is over. For a
// single-key operation, a batch and Len.
func TestBackToBackResizesCannotStarveAnOperation(t *testing.T) {
	keys := movingKeys(2, false)
	for _, c := range []struct {
		name string
		op   func(ctx context.Context, tb *dht.Table[string, int]) error
	}{
		{"put", func(ctx context.Context, tb *dht.Table[string, int]) error {
			_, _, err := tb.Put(ctx, keys[0], 1)
			return err
		}},
		{"multi-put", func(ctx context.Context, tb *dht.Table[string, int]) error {
			_, err := tb.MultiPut(ctx, []dht.KV[string, int]{{Key: keys[0], Value: 1}, {Key: keys[1], Value: 2}})
			return err
		}},
		{"len", func(ctx context.Context, tb *dht.Table[string, int]) error {
			n, err := tb.Len(ctx)
			if err == nil && n != 2 {
				err = fmt.Errorf("len %d, want 2", n)
			}
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			sys, _ := newSystem(t)
			tb := newTable(t, sys, 2)
			ctx := context.Background()
			if c.name == "len" {
				_, err := tb.MultiPut(ctx, []dht.KV[string, int]{{Key: keys[0], Value: 1}, {Key: keys[1], Value: 2}})
				require.NoError(t, err)
			}
			armed, size := true, 2
			var seen []placement
			var resizeErr error
			pending := make(chan error, 1)
			dht.SetPlacing(t, func(held bool) {
				if !armed {
					return
				}
				seen = append(seen, placement{held, dht.AdminHeld(tb)})
				if len(seen) > 3 { // placed again while it held Resizes off: checked below
					armed = false
					return
				}
				size = 5 - size // 2 and 3 in turn: the keys move every time
				if held {
					go func() { pending <- tb.Resize(ctx, size) }() // waits for the operation
					return
				}
				if err := tb.Resize(ctx, size); err != nil && resizeErr == nil {
					resizeErr = err // moves the keys under the operation
				}
			})
			err := c.op(ctx, tb)
			armed = false
			require.NoError(t, err)
			require.NoError(t, resizeErr)
			require.Equal(t, []placement{{false, false}, {false, false}, {true, true}}, seen,
				"two placements, then one holding Resizes off")
			require.NoError(t, <-pending, "the Resize held off runs after the operation")
			require.Equal(t, size, tb.Shards())
			v, found, err := tb.Get(ctx, keys[0])
			require.NoError(t, err)
			require.True(t, found)
			require.Equal(t, 1, v)
		})
	}
}

// TestCloseEndsAnOperationThatHoldsResizesOff leaves an operation that
// holds Resizes off waiting for good: a Resize failed halfway (a shard
// had died), so the key's new shard never gets the keys of the dead one.
// Close still stops the table, and the operation fails with ErrClosed.
func TestCloseEndsAnOperationThatHoldsResizesOff(t *testing.T) {
	sys, _ := newSystem(t)
	tb, err := dht.New[string, int](sys, 2, dht.StringKey)
	require.NoError(t, err)
	ctx := context.Background()
	key := movingKeys(1, true)[0]
	n, held := 0, make(chan bool, 1)
	var resizeErrs []error
	dht.SetPlacing(t, func(h bool) {
		switch n++; n {
		case 1:
			resizeErrs = append(resizeErrs, tb.Resize(ctx, 3)) // the key moves to shard 2
		case 2:
			dht.StopShard(tb, 2)                               // shard 2 dies
			resizeErrs = append(resizeErrs, tb.Resize(ctx, 4)) // fails at shard 2, the layout of 4 published
		case 3:
			held <- h // placed on shard 3, which awaits shard 2's keys
		}
	})
	done := make(chan error, 1)
	go func() {
		_, _, err := tb.Put(ctx, key, 1)
		done <- err
	}()
	require.True(t, <-held, "the third placement holds Resizes off")
	closeCtx, cancel := context.WithTimeout(ctx, reactortest.Patience)
	defer cancel()
	require.NoError(t, tb.Close(closeCtx))
	require.ErrorIs(t, <-done, dht.ErrClosed)
	require.Len(t, resizeErrs, 2)
	require.NoError(t, resizeErrs[0])
	require.Error(t, resizeErrs[1], "a resize over a dead shard fails")
}

// TestCloseAfterResizesLeavesNoDeadLetter closes a table that grew and
// shrank: every shard, retired or current, is stopped once, so nothing
// is dead-lettered (a second stop of a shard would be).
func TestCloseAfterResizesLeavesNoDeadLetter(t *testing.T) {
	var dead atomic.Int64
	sys, _ := newSystem(t, reactor.WithDeadLetterHandler(func(reactor.DeadLetter) { dead.Add(1) }))
	tb, err := dht.New[string, int](sys, 3, dht.StringKey)
	require.NoError(t, err)
	ctx := context.Background()
	fill(t, tb, 100)
	require.NoError(t, tb.Resize(ctx, 5))
	require.NoError(t, tb.Resize(ctx, 2))
	require.NoError(t, tb.Close(ctx))
	require.Zero(t, dead.Load())
}

// TestCloseDuringResizeStopsEveryShard closes tables while they grow or
// shrink (Close starts once the Resize holds the admin token, unless it
// was over first), 40 times: Close returns, the Resize returns (done or failed),
// and every shard the table ever spawned has terminated, including those
// a Resize published while Close waited for it.
func TestCloseDuringResizeStopsEveryShard(t *testing.T) {
	sys, _ := newSystem(t, reactor.WithLogger(zerolog.Nop()))
	ctx, cancel := context.WithTimeout(context.Background(), reactortest.Patience)
	defer cancel()
	base := sys.Stats().Reactors
	for i := range 40 {
		tb, err := dht.New[string, int](sys, 3, dht.StringKey)
		require.NoError(t, err)
		fill(t, tb, 50)
		resized := make(chan struct{})
		go func() {
			defer close(resized)
			_ = tb.Resize(ctx, []int{7, 1}[i%2]) // done or failed: either is right under Close
		}()
	wait:
		for !dht.AdminHeld(tb) { // until the Resize is under way, or over
			select {
			case <-resized:
				break wait
			default:
				runtime.Gosched()
			}
		}
		require.NoError(t, tb.Close(ctx))
		<-resized
		require.Equal(t, base, sys.Stats().Reactors, "round %d: a shard outlived Close", i)
	}
}
