package dht_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/reactor"
)

// holder keeps every shard of a table busy, each inside a
// CompareAndSwap equality on a key of its own (value 0), until released,
// so that what is sent to the shards meanwhile waits in their mailboxes.
type holder struct {
	t       *testing.T
	keys    []string // keys[s]: the held key of shard s
	release []chan struct{}
	freed   []bool
	done    chan error
}

func holdShards(t *testing.T, tb *dht.Table[string, int]) *holder {
	t.Helper()
	bg := context.Background()
	n := tb.Shards()
	h := &holder{t: t, keys: make([]string, n), release: make([]chan struct{}, n),
		freed: make([]bool, n), done: make(chan error, n)}
	for i, found := 0, 0; found < n; i++ {
		k := fmt.Sprintf("hold-%d", i)
		s, err := tb.Shard(k)
		require.NoError(t, err)
		if h.keys[s] == "" {
			h.keys[s] = k
			found++
		}
	}
	for s, k := range h.keys {
		_, _, err := tb.Put(bg, k, 0) // CompareAndSwap calls eq on a present key only
		require.NoError(t, err)
		h.release[s] = make(chan struct{})
		in := make(chan struct{})
		go func() {
			_, err := tb.CompareAndSwap(bg, k, 0, 0, func(a, b int) bool {
				close(in)
				<-h.release[s]
				return false
			})
			h.done <- err
		}()
		<-in
	}
	t.Cleanup(h.freeAll) // before the table's Close, registered earlier
	return h
}

// free lets shard s go on and waits for its held operation's return.
func (h *holder) free(s int) {
	h.t.Helper()
	if !h.freed[s] {
		h.freed[s] = true
		close(h.release[s])
		require.NoError(h.t, <-h.done)
	}
}

func (h *holder) freeAll() {
	for s := range h.release {
		h.free(s)
	}
}

// contents is the table's expected contents: want plus the held keys.
func (h *holder) contents(want map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range want {
		out[k] = v
	}
	for _, k := range h.keys {
		out[k] = 0
	}
	return out
}

func backlogs(tb *dht.Table[string, int]) []int {
	out := make([]int, tb.Shards())
	for s := range out {
		out[s] = dht.ShardBacklog(tb, s)
	}
	return out
}

// TestMultiSendsOneMessagePerShard holds every shard busy, runs a batch
// of many keys on all shards but the last, and counts the messages that
// pile up in each mailbox: exactly one per shard involved, none
// elsewhere, all of them sent before the batch waits for any reply.
func TestMultiSendsOneMessagePerShard(t *testing.T) {
	for _, put := range []bool{true, false} {
		t.Run(map[bool]string{true: "MultiPut", false: "MultiGet"}[put], func(t *testing.T) {
			bg := context.Background()
			sys, failures := newSystem(t)
			tb := newTable(t, sys, 4)
			var kvs []dht.KV[string, int]
			var keys []string
			perShard := make([]int, 4)
			for i := 0; len(keys) < 60; i++ {
				k := fmt.Sprintf("k%d", i)
				s, err := tb.Shard(k)
				require.NoError(t, err)
				if s == 3 {
					continue
				}
				perShard[s]++
				keys = append(keys, k)
				kvs = append(kvs, dht.KV[string, int]{Key: k, Value: i})
			}
			for s := range 3 {
				require.Greater(t, perShard[s], 1, "several keys on shard %d", s)
			}
			h := holdShards(t, tb)
			before := backlogs(tb)

			ctx := &askedCtx{Context: bg, asked: make(chan struct{})}
			type answer struct {
				res []dht.Result[int]
				err error
			}
			done := make(chan answer, 1)
			go func() {
				var a answer
				if put {
					a.res, a.err = tb.MultiPut(ctx, kvs)
				} else {
					a.res, a.err = tb.MultiGet(ctx, keys)
				}
				done <- a
			}()
			<-ctx.asked // everything is sent: the batch waits
			after := backlogs(tb)
			for s := range 4 {
				want := 1
				if s == 3 {
					want = 0
				}
				require.Equal(t, want, after[s]-before[s], "messages to shard %d", s)
			}
			h.freeAll()
			a := <-done
			require.NoError(t, a.err)
			require.Equal(t, make([]dht.Result[int], len(keys)), a.res, "all absent before")
			want := map[string]int{}
			if put {
				for _, kv := range kvs {
					want[kv.Key] = kv.Value
				}
			}
			requireContents(t, tb, h.contents(want), keys...)
			require.Zero(t, failures.Load())
		})
	}
}

// TestMultiContextExpiry ends a MultiPut's context when only shard 0 (or
// no shard) has answered: the answered part happened and is reported in
// a *BatchError; every other part is applied later by its shard, found
// refused and undone.
func TestMultiContextExpiry(t *testing.T) {
	for _, answered := range []int{1, 0} {
		t.Run(fmt.Sprintf("%d answered", answered), func(t *testing.T) {
			bg := context.Background()
			expired := make(chan struct{}, 8)
			sys, failures := newSystem(t, reactor.WithLogger(zerolog.Nop()), reactor.WithDeadLetterHandler(func(d reactor.DeadLetter) {
				if d.Reason == reactor.ReasonExpired {
					expired <- struct{}{}
				}
			}))
			tb := newTable(t, sys, 3)
			before := fill(t, tb, 30)
			var kvs []dht.KV[string, int]
			var probe []string
			for i := range 40 { // 30 replacements, 10 new keys
				k := fmt.Sprintf("key-%d", i)
				kvs = append(kvs, dht.KV[string, int]{Key: k, Value: 1000 + i})
				probe = append(probe, k)
			}
			kvs = append(kvs, dht.KV[string, int]{Key: "key-35", Value: 2000}, dht.KV[string, int]{Key: "key-3", Value: 2001})
			h := holdShards(t, tb)

			inner, cancel := context.WithCancel(bg)
			ctx := &askedCtx{Context: inner, asked: make(chan struct{})}
			type answer struct {
				res []dht.Result[int]
				err error
			}
			done := make(chan answer, 1)
			go func() {
				res, err := tb.MultiPut(ctx, kvs)
				done <- answer{res, err}
			}()
			<-ctx.asked
			if answered > 0 {
				h.free(0)
				// Sent after the batch's part, so served after it: once it
				// returns, that part has been applied and its reply taken.
				_, _, err := tb.Get(bg, h.keys[0])
				require.NoError(t, err)
			}
			cancel()
			a := <-done
			require.ErrorIs(t, a.err, context.Canceled)

			want := map[string]int{}
			for k, v := range before {
				want[k] = v
			}
			if answered == 0 {
				var be *dht.BatchError
				require.NotErrorAs(t, a.err, &be, "nothing applied: a plain error")
				require.Nil(t, a.res)
			} else {
				var be *dht.BatchError
				require.ErrorAs(t, a.err, &be)
				require.Len(t, be.Applied, len(kvs))
				model := map[string]int{}
				for k, v := range before {
					model[k] = v
				}
				for i, kv := range kvs {
					s, err := tb.Shard(kv.Key)
					require.NoError(t, err)
					require.Equal(t, s == 0, be.Applied[i], "item %d (%s)", i, kv.Key)
					if s != 0 {
						require.Zero(t, a.res[i], "item %d", i)
						continue
					}
					require.Equal(t, modelPut(model, kvs[i:i+1])[0], a.res[i], "item %d", i)
					want[kv.Key] = kv.Value
				}
			}
			h.freeAll()
			for range 3 - answered {
				<-expired // a shard applied its part, found its reply refused, undid it
			}
			requireContents(t, tb, h.contents(want), probe...)
			require.Zero(t, failures.Load())
		})
	}
}

// TestMultiUnhashableKeyFailsItsShardPart: the map's hashing of an
// interface key panics in its shard; that shard's whole part is undone
// and fails with ErrUserPanic, the other shard's part happens.
func TestMultiUnhashableKeyFailsItsShardPart(t *testing.T) {
	ctx := context.Background()
	sys, failures := newSystem(t)
	tb, err := dht.New[any, int](sys, 2, func(k any) uint64 { return dht.HashString(fmt.Sprint(k)) })
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tb.Close(ctx)) })
	for i := range 20 {
		_, _, err := tb.Put(ctx, i, i)
		require.NoError(t, err)
	}
	bad, err := tb.Shard([]int{1})
	require.NoError(t, err)

	var kvs []dht.KV[any, int]
	for i := 10; i < 30; i++ { // 10 replacements, 10 new keys, on both shards
		kvs = append(kvs, dht.KV[any, int]{Key: i, Value: 100 + i})
		if i == 20 {
			kvs = append(kvs, dht.KV[any, int]{Key: []int{1}, Value: 1})
		}
	}
	res, err := tb.MultiPut(ctx, kvs)
	require.ErrorIs(t, err, dht.ErrUserPanic)
	var be *dht.BatchError
	require.ErrorAs(t, err, &be)
	want := map[int]int{}
	for i := range 20 {
		want[i] = i
	}
	sawBad, sawGood, good := false, false, 0
	for i, kv := range kvs {
		s, err := tb.Shard(kv.Key)
		require.NoError(t, err)
		require.Equal(t, s != bad, be.Applied[i], "item %d", i)
		k, isInt := kv.Key.(int)
		if s == bad {
			sawBad = sawBad || isInt // an item undone with the part
			continue
		}
		if !sawGood {
			good = k
		}
		sawGood = true
		old, had := want[k]
		require.Equal(t, dht.Result[int]{Value: old, Found: had}, res[i])
		want[k] = kv.Value
	}
	require.True(t, sawBad && sawGood, "both shards involved")

	gets, err := tb.MultiGet(ctx, []any{[]int{1}, good})
	require.ErrorIs(t, err, dht.ErrUserPanic)
	require.ErrorAs(t, err, &be)
	require.Equal(t, []bool{false, true}, be.Applied)
	require.Equal(t, []dht.Result[int]{{}, {Value: want[good], Found: true}}, gets)

	n, err := tb.Len(ctx)
	require.NoError(t, err)
	require.Equal(t, len(want), n)
	for i := range 30 {
		v, ok, err := tb.Get(ctx, i)
		require.NoError(t, err)
		w, had := want[i]
		require.Equal(t, had, ok, "key %d", i)
		require.Equal(t, w, v, "key %d", i)
	}
	require.Zero(t, failures.Load())
}

// TestMultiGetFailedPartHasNoResults: a MultiGet part that fails in its
// shard after some of its items were read reports none of them: their
// results are zero and not applied, whether the part ran on the caller's
// goroutine or in the shard.
func TestMultiGetFailedPartHasNoResults(t *testing.T) {
	ctx := context.Background()
	sys, failures := newSystem(t)
	tb, err := dht.New[any, int](sys, 2, func(k any) uint64 { return dht.HashString(fmt.Sprint(k)) })
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tb.Close(ctx)) })
	bad, err := tb.Shard([]int{1})
	require.NoError(t, err)
	var before, other any // keys on the bad shard and on the other one
	for i := 0; before == nil || other == nil; i++ {
		_, _, err := tb.Put(ctx, i, 100+i)
		require.NoError(t, err)
		if s, _ := tb.Shard(i); s == bad && before == nil {
			before = i
		} else if s != bad && other == nil {
			other = i
		}
	}
	for range 20 { // the bad part is applied here or sent, as the shard is idle or not
		res, err := tb.MultiGet(ctx, []any{before, []int{1}, other})
		require.ErrorIs(t, err, dht.ErrUserPanic)
		var be *dht.BatchError
		require.ErrorAs(t, err, &be)
		require.Equal(t, []bool{false, false, true}, be.Applied)
		require.Equal(t, []dht.Result[int]{{}, {}, {Value: 100 + other.(int), Found: true}}, res)
	}
	require.Zero(t, failures.Load())
}
