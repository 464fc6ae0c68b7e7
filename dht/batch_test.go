package dht_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// modelGet is what MultiGet should return for keys on model.
func modelGet(model map[string]int, keys []string) []dht.Result[int] {
	out := make([]dht.Result[int], len(keys))
	for i, k := range keys {
		v, ok := model[k]
		out[i] = dht.Result[int]{Value: v, Found: ok}
	}
	return out
}

// modelPut applies kvs to model in order and returns what MultiPut
// should return.
func modelPut(model map[string]int, kvs []dht.KV[string, int]) []dht.Result[int] {
	out := make([]dht.Result[int], len(kvs))
	for i, kv := range kvs {
		v, ok := model[kv.Key]
		out[i] = dht.Result[int]{Value: v, Found: ok}
		model[kv.Key] = kv.Value
	}
	return out
}

// TestMultiMatchesModel runs random batches, with repeated keys, mixed
// with single operations, and compares every result with a map.
func TestMultiMatchesModel(t *testing.T) {
	for _, shards := range []int{1, 3, 16} {
		t.Run(fmt.Sprintf("%d shards", shards), func(t *testing.T) {
			ctx := context.Background()
			sys, failures := newSystem(t)
			tb := newTable(t, sys, shards)
			rng := rand.New(rand.NewPCG(uint64(shards), 7))
			model := map[string]int{}
			var all []string
			for i := range 60 {
				all = append(all, fmt.Sprintf("k%d", i))
			}
			for step := range 300 {
				n := rng.IntN(20)
				switch rng.IntN(4) {
				case 0, 1:
					kvs := make([]dht.KV[string, int], n)
					for i := range kvs {
						kvs[i] = dht.KV[string, int]{Key: all[rng.IntN(len(all))], Value: step*100 + i}
					}
					got, err := tb.MultiPut(ctx, kvs)
					require.NoError(t, err)
					require.Equal(t, modelPut(model, kvs), got, "step %d", step)
				case 2:
					keys := make([]string, n)
					for i := range keys {
						keys[i] = all[rng.IntN(len(all))]
					}
					got, err := tb.MultiGet(ctx, keys)
					require.NoError(t, err)
					require.Equal(t, modelGet(model, keys), got, "step %d", step)
				case 3:
					k := all[rng.IntN(len(all))]
					_, _, err := tb.Delete(ctx, k)
					require.NoError(t, err)
					delete(model, k)
				}
			}
			requireContents(t, tb, model, all...)
			require.Zero(t, failures.Load())
		})
	}
}

// TestMultiRepeatedKeys pins the semantics of a key given twice in one
// batch: items apply in batch order, as single operations would.
func TestMultiRepeatedKeys(t *testing.T) {
	ctx := context.Background()
	sys, _ := newSystem(t)
	tb := newTable(t, sys, 4)
	_, _, err := tb.Put(ctx, "a", 1)
	require.NoError(t, err)

	got, err := tb.MultiPut(ctx, []dht.KV[string, int]{{"a", 10}, {"b", 20}, {"a", 11}, {"b", 21}, {"a", 12}})
	require.NoError(t, err)
	require.Equal(t, []dht.Result[int]{
		{Value: 1, Found: true},  // a before the batch
		{Value: 0, Found: false}, // b absent before the batch
		{Value: 10, Found: true}, // a after the first item
		{Value: 20, Found: true}, // b after the second item
		{Value: 11, Found: true}, // a after the third item
	}, got)
	requireContents(t, tb, map[string]int{"a": 12, "b": 21})

	gets, err := tb.MultiGet(ctx, []string{"b", "a", "b", "z", "a"})
	require.NoError(t, err)
	require.Equal(t, []dht.Result[int]{{21, true}, {12, true}, {21, true}, {0, false}, {12, true}}, gets)
}

func TestMultiEmptyBatch(t *testing.T) {
	ctx := context.Background()
	sys, _ := newSystem(t)
	tb := newTable(t, sys, 4)
	got, err := tb.MultiGet(ctx, nil)
	require.NoError(t, err)
	require.Empty(t, got)
	require.NotNil(t, got)
	res, err := tb.MultiPut(ctx, []dht.KV[string, int]{})
	require.NoError(t, err)
	require.Empty(t, res)

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = tb.MultiGet(canceled, nil)
	require.ErrorIs(t, err, context.Canceled)
	_, err = tb.MultiPut(canceled, []dht.KV[string, int]{{"a", 1}})
	require.ErrorIs(t, err, context.Canceled, "a done context sends nothing")
	requireContents(t, tb, map[string]int{}, "a")
}

func TestMultiClosedTable(t *testing.T) {
	ctx := context.Background()
	sys, _ := newSystem(t)
	tb, err := dht.New[string, int](sys, 4, dht.StringKey)
	require.NoError(t, err)
	require.NoError(t, tb.Close(ctx))

	_, err = tb.MultiGet(ctx, []string{"a", "b"})
	require.ErrorIs(t, err, dht.ErrClosed)
	_, err = tb.MultiPut(ctx, []dht.KV[string, int]{{"a", 1}})
	require.ErrorIs(t, err, dht.ErrClosed)
	_, err = tb.MultiGet(ctx, nil)
	require.ErrorIs(t, err, dht.ErrClosed, "even an empty batch")

	errs := make(chan error, 2)
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		report := func(err error) { errs <- err }
		tb.MultiGetIn(r, []string{"a"}).Events().OnError(report)
		tb.MultiPutIn(r, []dht.KV[string, int]{{"a", 1}}).Events().OnError(report)
		r.Main().Seal()
	})
	require.NoError(t, err)
	require.ErrorIs(t, <-errs, dht.ErrClosed)
	require.ErrorIs(t, <-errs, dht.ErrClosed)
}

// TestMultiCloseWhileBatching: every batch racing with Close succeeds,
// fails with ErrClosed, or reports the parts it applied.
func TestMultiCloseWhileBatching(t *testing.T) {
	ctx := context.Background()
	sys, failures := newSystem(t, reactor.WithLogger(zerolog.Nop())) // queued parts are dead-lettered
	tb, err := dht.New[string, int](sys, 4, dht.StringKey)
	require.NoError(t, err)
	started := make(chan struct{})
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for c := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				if i == 10 && c == 0 {
					close(started)
				}
				kvs := make([]dht.KV[string, int], 8)
				for j := range kvs {
					kvs[j] = dht.KV[string, int]{Key: fmt.Sprintf("k%d", (i+j)%50), Value: i}
				}
				if _, err := tb.MultiPut(ctx, kvs); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	<-started
	require.NoError(t, tb.Close(ctx))
	wg.Wait()
	close(errs)
	for err := range errs {
		require.ErrorIs(t, err, dht.ErrClosed)
	}
	require.Zero(t, failures.Load())
}

// TestMultiKeyFunctionPanic: a panic of the key function on any item
// fails the whole batch before anything is sent.
func TestMultiKeyFunctionPanic(t *testing.T) {
	ctx := context.Background()
	sys, failures := newSystem(t)
	tb, err := dht.New[string, int](sys, 4, func(k string) uint64 {
		if k == "boom" {
			panic("bad key")
		}
		return dht.StringKey(k)
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tb.Close(ctx)) })
	want := fill(t, tb, 20)

	_, err = tb.MultiPut(ctx, []dht.KV[string, int]{{"key-1", 100}, {"new", 1}, {"boom", 2}, {"key-2", 200}})
	require.ErrorIs(t, err, dht.ErrUserPanic)
	require.ErrorContains(t, err, "bad key")
	_, err = tb.MultiGet(ctx, []string{"key-1", "boom"})
	require.ErrorIs(t, err, dht.ErrUserPanic)

	errs := make(chan error, 2)
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		tb.MultiGetIn(r, []string{"boom"}).Events().OnError(func(err error) { errs <- err })
		tb.MultiPutIn(r, []dht.KV[string, int]{{"new", 1}, {"boom", 1}}).Events().OnError(func(err error) {
			errs <- err
			r.Main().Seal()
		})
	})
	require.NoError(t, err)
	require.ErrorIs(t, <-errs, dht.ErrUserPanic)
	require.ErrorIs(t, <-errs, dht.ErrUserPanic)
	requireContents(t, tb, want, "new")
	require.Zero(t, failures.Load())
}

// TestMultiInForms runs MultiPutIn then MultiGetIn inside a reactor.
func TestMultiInForms(t *testing.T) {
	sys, failures := newSystem(t)
	tb := newTable(t, sys, 5)
	_, _, err := tb.Put(context.Background(), "k3", 7)
	require.NoError(t, err)

	kvs := []dht.KV[string, int]{{"k1", 1}, {"k2", 2}, {"k3", 3}, {"k1", 4}}
	keys := []string{"k3", "k1", "zz", "k2"}
	type answer struct {
		puts, gets []dht.Result[int]
		err        error
	}
	got := make(chan answer, 1)
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		fail := func(err error) { got <- answer{err: err}; r.Main().Seal() }
		tb.MultiPutIn(r, kvs).Subscribe(&events.Funcs[[]dht.Result[int]]{Error: fail, Event: func(puts []dht.Result[int]) {
			tb.MultiGetIn(r, keys).Subscribe(&events.Funcs[[]dht.Result[int]]{Error: fail, Event: func(gets []dht.Result[int]) {
				if v, err := tb.MultiGetIn(r, nil).Value(); err != nil || len(v) != 0 {
					fail(fmt.Errorf("empty batch: %v %v", v, err))
					return
				}
				got <- answer{puts: puts, gets: gets}
				r.Main().Seal()
			}})
		}})
	})
	require.NoError(t, err)
	a := <-got
	require.NoError(t, a.err)
	require.Equal(t, []dht.Result[int]{{0, false}, {0, false}, {7, true}, {1, true}}, a.puts)
	require.Equal(t, []dht.Result[int]{{3, true}, {4, true}, {0, false}, {2, true}}, a.gets)
	requireContents(t, tb, map[string]int{"k1": 4, "k2": 2, "k3": 3}, "zz")
	require.Zero(t, failures.Load())
}

// TestMultiConcurrentClientsMatchModel: clients on disjoint keys run
// batches and single operations at once; each client's results must
// equal a replay of its own operations on a map.
func TestMultiConcurrentClientsMatchModel(t *testing.T) {
	const (
		clients = 8
		steps   = 400
		ownKeys = 24
	)
	ctx := context.Background()
	sys, failures := newSystem(t)
	tb := newTable(t, sys, 6)
	models := make([]map[string]int, clients)
	mismatch := make([]error, clients)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 99))
			model := map[string]int{}
			models[c] = model
			key := func() string { return fmt.Sprintf("c%d-k%d", c, rng.IntN(ownKeys)) }
			for step := range steps {
				n := 1 + rng.IntN(10)
				var want, got any
				var err error
				switch rng.IntN(4) {
				case 0:
					kvs := make([]dht.KV[string, int], n)
					for i := range kvs {
						kvs[i] = dht.KV[string, int]{Key: key(), Value: step*100 + i}
					}
					got, err = tb.MultiPut(ctx, kvs)
					want = modelPut(model, kvs)
				case 1:
					keys := make([]string, n)
					for i := range keys {
						keys[i] = key()
					}
					got, err = tb.MultiGet(ctx, keys)
					want = modelGet(model, keys)
				case 2:
					k := key()
					v, ok, e := tb.Put(ctx, k, step)
					got, err = dht.Result[int]{Value: v, Found: ok}, e
					want = modelPut(model, []dht.KV[string, int]{{k, step}})[0]
				case 3:
					k := key()
					v, ok, e := tb.Delete(ctx, k)
					got, err = dht.Result[int]{Value: v, Found: ok}, e
					want = modelGet(model, []string{k})[0]
					delete(model, k)
				}
				if err != nil || fmt.Sprint(want) != fmt.Sprint(got) {
					mismatch[c] = fmt.Errorf("client %d step %d: got %v (%v), want %v", c, step, got, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
	total := 0
	for c := range clients {
		require.NoError(t, mismatch[c])
		keys := make([]string, ownKeys)
		for k := range keys {
			keys[k] = fmt.Sprintf("c%d-k%d", c, k)
		}
		got, err := tb.MultiGet(ctx, keys)
		require.NoError(t, err)
		require.Equal(t, modelGet(models[c], keys), got, "client %d final", c)
		total += len(models[c])
	}
	n, err := tb.Len(ctx)
	require.NoError(t, err)
	require.Equal(t, total, n)
	require.Zero(t, failures.Load())
}
