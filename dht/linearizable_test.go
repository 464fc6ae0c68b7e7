package dht_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/internal/kvcheck"
	"github.com/reactors-go/reactors/reactor"
)

// doIn runs in on tb from the reactor o.
func doIn(o reactor.Owner, tb *dht.Table[string, int], in kvcheck.Input) *events.IVar[kvcheck.Output] {
	out := &events.IVar[kvcheck.Output]{}
	res := func(iv *events.IVar[dht.Result[int]]) {
		iv.Subscribe(&events.Funcs[dht.Result[int]]{
			Event: func(r dht.Result[int]) { out.TrySet(kvcheck.Output{Val: r.Value, OK: r.Found}) },
			Error: func(err error) { out.TryFail(err) },
		})
	}
	switch in.Kind {
	case kvcheck.Get:
		res(tb.GetIn(o, in.Key))
	case kvcheck.Put:
		res(tb.PutIn(o, in.Key, in.Val))
	case kvcheck.Delete:
		res(tb.DeleteIn(o, in.Key))
	default:
		tb.CompareAndSwapIn(o, in.Key, in.Old, in.Val, dht.Equal[int]).Subscribe(&events.Funcs[bool]{
			Event: func(ok bool) { out.TrySet(kvcheck.Output{OK: ok}) },
			Error: func(err error) { out.TryFail(err) },
		})
	}
	return out
}

// randomBatch draws a MultiGet (put false) or a MultiPut of 1 to 6
// distinct keys of keys keys, with values unique per client and batch.
func randomBatch(rng *rand.Rand, client, i, keys int) (put bool, items []kvcheck.Input) {
	put = rng.IntN(2) == 0
	seen := map[string]bool{}
	for j, n := 0, 1+rng.IntN(6); j < n; j++ {
		in := kvcheck.Input{Kind: kvcheck.Get, Key: fmt.Sprintf("lin-%d", rng.IntN(keys))}
		if seen[in.Key] {
			continue
		}
		seen[in.Key] = true
		if put {
			in.Kind, in.Val = kvcheck.Put, client<<20|i<<3|j
		}
		items = append(items, in)
	}
	return put, items
}

// recordBatch adds a batch's items that took effect to h, each as an
// operation on its key spanning the whole batch: a batch is atomic per
// shard, so each item takes effect at one instant inside the call.
func recordBatch(h *kvcheck.History, client int, items []kvcheck.Input, call int64, res []dht.Result[int], err error) {
	var applied []bool
	if err != nil {
		var be *dht.BatchError
		if !errors.As(err, &be) {
			return // nothing took effect
		}
		applied = be.Applied
	}
	ret := h.Now()
	for j, in := range items {
		if applied == nil || applied[j] {
			h.AddSpan(client, in, call, ret, kvcheck.Output{Val: res[j].Value, OK: res[j].Found})
		}
	}
}

// batchArgs returns the keys and the key-value pairs of items.
func batchArgs(items []kvcheck.Input) ([]string, []dht.KV[string, int]) {
	keys, kvs := make([]string, len(items)), make([]dht.KV[string, int], len(items))
	for j, in := range items {
		keys[j], kvs[j] = in.Key, dht.KV[string, int]{Key: in.Key, Value: in.Val}
	}
	return keys, kvs
}

// doBatch runs a batch on tb from a plain goroutine.
func doBatch(ctx context.Context, tb *dht.Table[string, int], put bool, items []kvcheck.Input) ([]dht.Result[int], error) {
	if keys, kvs := batchArgs(items); !put {
		return tb.MultiGet(ctx, keys)
	} else {
		return tb.MultiPut(ctx, kvs)
	}
}

// doBatchIn runs a batch on tb from the reactor o.
func doBatchIn(o reactor.Owner, tb *dht.Table[string, int], put bool, items []kvcheck.Input) *events.IVar[[]dht.Result[int]] {
	if keys, kvs := batchArgs(items); !put {
		return tb.MultiGetIn(o, keys)
	} else {
		return tb.MultiPutIn(o, kvs)
	}
}

// TestLinearizableAcrossResizes records the histories of concurrent
// clients (plain goroutines, some with deadlines short enough to expire
// mid-operation, one of them sending batches, and a reactor using the In
// forms, single and batched) while another
// goroutine grows and shrinks the table, and checks every key's history
// for linearizability. It also checks that the resizes, the expiries and
// the retried placements all happened, so that the check covered them.
func TestLinearizableAcrossResizes(t *testing.T) {
	const (
		clients = 4
		ops     = 1500
		keys    = 24
	)
	sys, failures := newSystem(t)
	tb := newTable(t, sys, 3)
	cas := func(ctx context.Context, k string, old, v int) (bool, error) {
		return tb.CompareAndSwap(ctx, k, old, v, dht.Equal[int])
	}
	ctx := context.Background()
	h := &kvcheck.History{}
	var expired atomic.Int64

	rs := startResizer(tb, 7, 2, 5, 12, 1, 4)
	// Every client runs at least ops operations, and on until the table
	// has been resized a few times while they ran (at most 10*ops).
	running := func(i int) bool { return i < ops || (rs.n.Load() < 5 && i < 10*ops) }

	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(7, uint64(c)))
			for i := 0; running(i); i++ {
				opCtx, cancel := ctx, context.CancelFunc(func() {})
				switch {
				case c%2 == 1 && i%100 == 0: // an expired deadline: nothing is sent
					opCtx, cancel = context.WithTimeout(ctx, 0)
				case c%2 == 1 && rng.IntN(4) == 0: // deadlines of 0-20us: some expire mid-flight
					opCtx, cancel = context.WithTimeout(ctx, time.Duration(rng.IntN(20_000)))
				}
				if c == clients-1 { // the batch client
					put, items := randomBatch(rng, c, i, keys)
					call := h.Now()
					res, err := doBatch(opCtx, tb, put, items)
					cancel()
					if err != nil {
						require.ErrorIs(t, err, context.DeadlineExceeded)
						expired.Add(1)
					}
					recordBatch(h, c, items, call, res, err)
					continue
				}
				in := kvcheck.Random(rng, c, i, keys)
				call := h.Now()
				out, err := kvcheck.Apply(opCtx, tb, cas, in)
				cancel()
				if err != nil {
					require.ErrorIs(t, err, context.DeadlineExceeded)
					expired.Add(1)
					continue
				}
				h.Add(c, in, call, out)
			}
		})
	}
	// The reactor client issues its operations one after another, each
	// from the handler that got the previous result.
	reactorDone := make(chan error, 1)
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[struct{}]) {
		rng := rand.New(rand.NewPCG(7, clients))
		var next func(i int)
		next = func(i int) {
			if !running(i) {
				reactorDone <- nil
				r.Main().Seal()
				return
			}
			if i%3 == 2 {
				put, items := randomBatch(rng, clients, i, keys)
				call := h.Now()
				doBatchIn(r, tb, put, items).Subscribe(&events.Funcs[[]dht.Result[int]]{
					Event: func(res []dht.Result[int]) { recordBatch(h, clients, items, call, res, nil); next(i + 1) },
					Error: func(err error) { reactorDone <- err; r.Main().Seal() },
				})
				return
			}
			in := kvcheck.Random(rng, clients, i, keys)
			call := h.Now()
			doIn(r, tb, in).Subscribe(&events.Funcs[kvcheck.Output]{
				Event: func(out kvcheck.Output) { h.Add(clients, in, call, out); next(i + 1) },
				Error: func(err error) { reactorDone <- err; r.Main().Seal() },
			})
		}
		next(0)
	})
	require.NoError(t, err)
	wg.Wait()
	require.NoError(t, <-reactorDone)
	n := rs.end(t)

	require.Positive(t, n, "resizes during the run")
	require.Positive(t, expired.Load(), "operations expired mid-flight")
	require.Zero(t, failures.Load())
	history := h.Ops()
	t.Logf("%d operations recorded, %d expired, %d resizes", len(history), expired.Load(), n)
	res, info := porcupine.CheckOperationsVerbose(kvcheck.Model, history, time.Minute)
	if res != porcupine.Ok {
		_ = porcupine.VisualizePath(kvcheck.Model, info, t.TempDir()+"/history.html")
	}
	require.Equal(t, porcupine.Ok, res, "linearizability of %d operations", len(history))
}
