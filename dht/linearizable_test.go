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
	"github.com/reactors-go/reactors/reactor"
)

// The histories below are checked with porcupine against a sequential
// model of one key (the table is linearizable per key, so histories are
// partitioned by key). An operation that returned an error is left out
// of its history: the table promises that it did not happen, so if it
// had, a read would show a value no recorded write wrote and the check
// would fail.

type kvKind uint8

const (
	kvGet kvKind = iota
	kvPut
	kvDelete
	kvCAS
)

// kvInput is an operation as the model sees it.
type kvInput struct {
	kind     kvKind
	key      string
	val, old int
}

// kvOutput is its result: for Get, Put and Delete the (previous) value
// and whether there was one; for CompareAndSwap, ok says whether it
// swapped.
type kvOutput struct {
	val int
	ok  bool
}

// kvState is one key's state.
type kvState struct {
	val     int
	present bool
}

var kvModel = porcupine.Model{
	Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		var order []string
		for _, o := range h {
			k := o.Input.(kvInput).key
			if _, ok := byKey[k]; !ok {
				order = append(order, k)
			}
			byKey[k] = append(byKey[k], o)
		}
		out := make([][]porcupine.Operation, 0, len(order))
		for _, k := range order {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() any { return kvState{} },
	Step: func(state, input, output any) (bool, any) {
		s, in, out := state.(kvState), input.(kvInput), output.(kvOutput)
		prev := kvOutput{val: s.val, ok: s.present}
		if !s.present {
			prev.val = 0
		}
		switch in.kind {
		case kvGet:
			return out == prev, s
		case kvPut:
			return out == prev, kvState{val: in.val, present: true}
		case kvDelete:
			return out == prev, kvState{}
		default: // kvCAS
			swap := s.present && s.val == in.old
			if out.ok != swap {
				return false, s
			}
			if swap {
				return true, kvState{val: in.val, present: true}
			}
			return true, s
		}
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(kvInput), output.(kvOutput)
		return fmt.Sprintf("%d %s val=%d old=%d -> %d %v", in.kind, in.key, in.val, in.old, out.val, out.ok)
	},
}

// history records operations with a logical clock: Call is taken before
// the operation starts, Return after it ended, from one counter, so the
// real-time order of operations is kept exactly.
type history struct {
	clock atomic.Int64
	mu    sync.Mutex
	ops   []porcupine.Operation
}

func (h *history) now() int64 { return h.clock.Add(1) }

func (h *history) add(client int, in kvInput, call int64, out kvOutput) {
	ret := h.now()
	h.mu.Lock()
	h.ops = append(h.ops, porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret})
	h.mu.Unlock()
}

// randomInput draws an operation on one of keys keys; values written are
// unique per client and operation.
func randomInput(rng *rand.Rand, client, i, keys int) kvInput {
	in := kvInput{key: fmt.Sprintf("lin-%d", rng.IntN(keys)), val: client<<20 | i}
	switch p := rng.IntN(100); {
	case p < 40:
		in.kind = kvGet
	case p < 75:
		in.kind = kvPut
	case p < 85:
		in.kind = kvDelete
	default:
		in.kind = kvCAS
		in.old = rng.IntN(client+1)<<20 | rng.IntN(i+1) // sometimes a value once written
	}
	return in
}

// do runs in on tb from a plain goroutine.
func do(ctx context.Context, tb *dht.Table[string, int], in kvInput) (kvOutput, error) {
	var out kvOutput
	var err error
	switch in.kind {
	case kvGet:
		out.val, out.ok, err = tb.Get(ctx, in.key)
	case kvPut:
		out.val, out.ok, err = tb.Put(ctx, in.key, in.val)
	case kvDelete:
		out.val, out.ok, err = tb.Delete(ctx, in.key)
	default:
		out.ok, err = tb.CompareAndSwap(ctx, in.key, in.old, in.val, dht.Equal[int])
	}
	return out, err
}

// doIn runs in on tb from the reactor o.
func doIn(o reactor.Owner, tb *dht.Table[string, int], in kvInput) *events.IVar[kvOutput] {
	out := &events.IVar[kvOutput]{}
	res := func(iv *events.IVar[dht.Result[int]]) {
		iv.Subscribe(&events.Funcs[dht.Result[int]]{
			Event: func(r dht.Result[int]) { out.TrySet(kvOutput{val: r.Value, ok: r.Found}) },
			Error: func(err error) { out.TryFail(err) },
		})
	}
	switch in.kind {
	case kvGet:
		res(tb.GetIn(o, in.key))
	case kvPut:
		res(tb.PutIn(o, in.key, in.val))
	case kvDelete:
		res(tb.DeleteIn(o, in.key))
	default:
		tb.CompareAndSwapIn(o, in.key, in.old, in.val, dht.Equal[int]).Subscribe(&events.Funcs[bool]{
			Event: func(ok bool) { out.TrySet(kvOutput{ok: ok}) },
			Error: func(err error) { out.TryFail(err) },
		})
	}
	return out
}

// randomBatch draws a MultiGet (put false) or a MultiPut of 1 to 6
// distinct keys of keys keys, with values unique per client and batch.
func randomBatch(rng *rand.Rand, client, i, keys int) (put bool, items []kvInput) {
	put = rng.IntN(2) == 0
	seen := map[string]bool{}
	for j, n := 0, 1+rng.IntN(6); j < n; j++ {
		in := kvInput{kind: kvGet, key: fmt.Sprintf("lin-%d", rng.IntN(keys))}
		if seen[in.key] {
			continue
		}
		seen[in.key] = true
		if put {
			in.kind, in.val = kvPut, client<<20|i<<3|j
		}
		items = append(items, in)
	}
	return put, items
}

// recordBatch adds a batch's items that took effect to h, each as an
// operation on its key spanning the whole batch: a batch is atomic per
// shard, so each item takes effect at one instant inside the call.
func (h *history) recordBatch(client int, items []kvInput, call int64, res []dht.Result[int], err error) {
	var applied []bool
	if err != nil {
		var be *dht.BatchError
		if !errors.As(err, &be) {
			return // nothing took effect
		}
		applied = be.Applied
	}
	ret := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	for j, in := range items {
		if applied == nil || applied[j] {
			h.ops = append(h.ops, porcupine.Operation{ClientId: client, Input: in, Call: call,
				Output: kvOutput{val: res[j].Value, ok: res[j].Found}, Return: ret})
		}
	}
}

// batchArgs returns the keys and the key-value pairs of items.
func batchArgs(items []kvInput) ([]string, []dht.KV[string, int]) {
	keys, kvs := make([]string, len(items)), make([]dht.KV[string, int], len(items))
	for j, in := range items {
		keys[j], kvs[j] = in.key, dht.KV[string, int]{Key: in.key, Value: in.val}
	}
	return keys, kvs
}

// doBatch runs a batch on tb from a plain goroutine.
func doBatch(ctx context.Context, tb *dht.Table[string, int], put bool, items []kvInput) ([]dht.Result[int], error) {
	if keys, kvs := batchArgs(items); !put {
		return tb.MultiGet(ctx, keys)
	} else {
		return tb.MultiPut(ctx, kvs)
	}
}

// doBatchIn runs a batch on tb from the reactor o.
func doBatchIn(o reactor.Owner, tb *dht.Table[string, int], put bool, items []kvInput) *events.IVar[[]dht.Result[int]] {
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
	ctx := context.Background()
	h := &history{}
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
					call := h.now()
					res, err := doBatch(opCtx, tb, put, items)
					cancel()
					if err != nil {
						require.ErrorIs(t, err, context.DeadlineExceeded)
						expired.Add(1)
					}
					h.recordBatch(c, items, call, res, err)
					continue
				}
				in := randomInput(rng, c, i, keys)
				call := h.now()
				out, err := do(opCtx, tb, in)
				cancel()
				if err != nil {
					require.ErrorIs(t, err, context.DeadlineExceeded)
					expired.Add(1)
					continue
				}
				h.add(c, in, call, out)
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
				call := h.now()
				doBatchIn(r, tb, put, items).Subscribe(&events.Funcs[[]dht.Result[int]]{
					Event: func(res []dht.Result[int]) { h.recordBatch(clients, items, call, res, nil); next(i + 1) },
					Error: func(err error) { reactorDone <- err; r.Main().Seal() },
				})
				return
			}
			in := randomInput(rng, clients, i, keys)
			call := h.now()
			doIn(r, tb, in).Subscribe(&events.Funcs[kvOutput]{
				Event: func(out kvOutput) { h.add(clients, in, call, out); next(i + 1) },
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
	t.Logf("%d operations recorded, %d expired, %d resizes", len(h.ops), expired.Load(), n)
	res, info := porcupine.CheckOperationsVerbose(kvModel, h.ops, time.Minute)
	if res != porcupine.Ok {
		_ = porcupine.VisualizePath(kvModel, info, t.TempDir()+"/history.html")
	}
	require.Equal(t, porcupine.Ok, res, "linearizability of %d operations", len(h.ops))
}

// TestLinearizabilityCheckerCatchesStaleRead feeds the checker a history
// with a read that misses an acknowledged write: the check must fail,
// so that a passing check means something.
func TestLinearizabilityCheckerCatchesStaleRead(t *testing.T) {
	put := kvInput{kind: kvPut, key: "k", val: 1}
	get := kvInput{kind: kvGet, key: "k"}
	h := []porcupine.Operation{
		{ClientId: 0, Input: put, Call: 1, Output: kvOutput{}, Return: 2},
		{ClientId: 1, Input: get, Call: 3, Output: kvOutput{}, Return: 4}, // after the Put, sees nothing
	}
	require.False(t, porcupine.CheckOperations(kvModel, h))
	h[1].Output = kvOutput{val: 1, ok: true}
	require.True(t, porcupine.CheckOperations(kvModel, h))
}
