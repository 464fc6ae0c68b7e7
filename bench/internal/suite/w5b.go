package suite

import (
	"context"
	"fmt"
	"iter"
	"sync"

	"github.com/reactors-go/reactors/dht"
)

// w5bSize is the number of consecutive ops of a batch (not scaled); the
// last batch of a stream may be shorter.
const w5bSize = 100

// w5b is W5b, sharded KV in batches: W5's data, streams, preload, clients
// and check, but each client cuts its stream into batches of w5bSize
// consecutive ops and issues each batch as one MultiGet of its Gets, then
// one MultiPut of its Puts (each item in stream order). The reference is
// the same batches applied to W5's S RWMutex-guarded maps: the items of
// each part are grouped by shard, and each shard involved is locked once
// per part (RLock for the Gets, Lock for the Puts). This framework's peer
// is a dht.Table of S shard reactors, whose MultiGet and MultiPut send one
// message per shard involved.
func w5b() workload {
	return workload{
		name: "W5b",
		describe: func(cfg *config) string {
			return fmt.Sprintf("sharded KV batches of %d ops %s as W5; "+
				"each batch = one MultiGet of its Gets, then one MultiPut of its Puts; "+
				"raw splitmix64(key) mod S, one RLock/Lock per shard involved; reactors dht.Table IntKey+Jump, MultiGet/MultiPut(context.Background())",
				w5bSize, w5Params(cfg))
		},
		cases: []benchCase{
			{peer: peerRaw, variant: "rwmutex-map", run: w5bRaw},
			{peer: peerReactors, variant: "dht", run: w5bReactors},
		},
		ratios: []ratioDef{
			{variant: "dht", refVariant: "rwmutex-map", metric: "ops_per_s"},
		},
	}
}

// w5bBatch is one batch of a client's stream, split into its Gets and its
// Puts, each in stream order.
type w5bBatch struct {
	gets   []int64                // the keys of the Gets
	getIdx []int                  // getIdx[j]: the stream index of Get j
	puts   []dht.KV[int64, int64] // the keys and values of the Puts
	putIdx []int                  // putIdx[j]: the stream index of Put j
}

// w5bBatches caches the batches last cut, like w5Streams; they are
// read-only once cut.
var w5bBatches struct {
	sync.Mutex
	per     int
	batches [][]w5bBatch
}

// w5bCut returns the streams of the C clients, per ops each (W5Generate),
// and each client's stream cut into batches of w5bSize consecutive ops.
// Both are built before t0 and are the same for every peer.
func w5bCut(per int) ([][]W5Op, [][]w5bBatch) {
	streams := W5Generate(per)
	w5bBatches.Lock()
	defer w5bBatches.Unlock()
	if w5bBatches.per == per {
		return streams, w5bBatches.batches
	}
	all := make([][]w5bBatch, len(streams))
	for c, ops := range streams {
		batches := make([]w5bBatch, 0, (len(ops)+w5bSize-1)/w5bSize)
		for lo := 0; lo < len(ops); lo += w5bSize {
			var b w5bBatch
			for i := lo; i < min(lo+w5bSize, len(ops)); i++ {
				if op := ops[i]; op.Put {
					b.puts = append(b.puts, dht.KV[int64, int64]{Key: op.Key, Value: op.Val})
					b.putIdx = append(b.putIdx, i)
				} else {
					b.gets = append(b.gets, op.Key)
					b.getIdx = append(b.getIdx, i)
				}
			}
			batches = append(batches, b)
		}
		all[c] = batches
	}
	w5bBatches.per, w5bBatches.batches = per, all
	return streams, all
}

// w5bGrouper groups the items of one part of a batch by raw shard, keeping
// batch order within each shard. A client owns one and reuses it.
type w5bGrouper struct {
	shard [w5bSize]uint64   // shard[j]: the shard of item j, set by the caller
	start [W5Shards + 1]int // after group: shard s's items are order[start[s]:start[s+1]]
	order [w5bSize]int      // item indices grouped by shard
	next  [W5Shards + 1]int // scratch cursors
	_     [128]byte         // keeps two clients' groupers off shared cache lines
}

// group groups the first n items, whose shards are in g.shard[:n].
func (g *w5bGrouper) group(n int) {
	g.start = [W5Shards + 1]int{}
	for _, s := range g.shard[:n] {
		g.start[s+1]++
	}
	for s := range W5Shards {
		g.start[s+1] += g.start[s]
	}
	g.next = g.start
	for j, s := range g.shard[:n] {
		g.order[g.next[s]] = j
		g.next[s]++
	}
}

// w5bByShard sets g's shard of every item (key gives its key), groups
// them, and yields each shard involved with the indices of its items, in
// batch order, shard after shard. It inlines into plain loops (the
// range-over-func body and key are inlined too), so a client pays nothing
// for it.
func w5bByShard[T any](g *w5bGrouper, items []T, key func(T) int64) iter.Seq2[int, []int] {
	return func(yield func(s int, items []int) bool) {
		for j, it := range items {
			g.shard[j] = w5Shard(key(it))
		}
		g.group(len(items))
		for s := range W5Shards {
			if lo, hi := g.start[s], g.start[s+1]; lo < hi && !yield(s, g.order[lo:hi]) {
				return
			}
		}
	}
}

// w5bRaw applies the batches to S padded {RWMutex, map} shards preloaded
// with every key (W5's rwmutex-map): for each batch, its Gets grouped by
// shard under one RLock per shard involved, then its Puts grouped by shard
// under one Lock per shard involved.
func w5bRaw(p RunParams) (Result, error) {
	streams, batches := w5bCut(W5PerClient(p))
	deadline := NewDeadline()
	defer deadline.Stop()
	shards := w5LockedShards()
	groupers := make([]w5bGrouper, w5Clients)
	return W5Drive(streams, func(c int, ops []W5Op, got []int64) error {
		g := &groupers[c]
		for _, b := range batches[c] {
			for s, items := range w5bByShard(g, b.gets, func(k int64) int64 { return k }) {
				sh := &shards[s]
				sh.mu.RLock()
				for _, j := range items {
					v, ok := sh.m[b.gets[j]]
					i := b.getIdx[j]
					got[i] = W5Answer(ops[i], v, ok)
				}
				sh.mu.RUnlock()
			}
			for s, items := range w5bByShard(g, b.puts, func(kv dht.KV[int64, int64]) int64 { return kv.Key }) {
				sh := &shards[s]
				sh.mu.Lock()
				for _, j := range items {
					sh.m[b.puts[j].Key] = b.puts[j].Value
					got[b.putIdx[j]] = 0
				}
				sh.mu.Unlock()
			}
		}
		return nil
	}, deadline.C)
}

// w5bReactors applies the batches to a dht.Table of S shard reactors (see
// w5OnTable): for each batch, one MultiGet of its Gets, then one MultiPut
// of its Puts, with context.Background(). Any error, *dht.BatchError
// included, fails the run. Besides w5Check, each call must return one
// result per item, and every Put must report a previous value, since every
// key is preloaded.
func w5bReactors(p RunParams) (Result, error) {
	_, batches := w5bCut(W5PerClient(p))
	return w5OnTable(p, func(tbl *dht.Table[int64, int64]) W5Client {
		return func(c int, ops []W5Op, got []int64) error {
			ctx := context.Background()
			for _, b := range batches[c] {
				if len(b.gets) > 0 {
					res, err := tbl.MultiGet(ctx, b.gets)
					if err := w5bChecked("MultiGet", len(b.gets), len(res), err); err != nil {
						return err
					}
					for j, r := range res {
						i := b.getIdx[j]
						got[i] = W5Answer(ops[i], r.Value, r.Found)
					}
				}
				if len(b.puts) > 0 {
					res, err := tbl.MultiPut(ctx, b.puts)
					if err := w5bChecked("MultiPut", len(b.puts), len(res), err); err != nil {
						return err
					}
					for j, r := range res {
						if !r.Found {
							return fmt.Errorf("put of key %d found no previous value", b.puts[j].Key)
						}
						got[b.putIdx[j]] = 0
					}
				}
			}
			return nil
		}
	})
}

// w5bChecked checks what a batch call of n items returned: no error and
// one result per item.
func w5bChecked(call string, n, results int, err error) error {
	if err != nil {
		return err
	}
	if results != n {
		return fmt.Errorf("%s of %d items returned %d results", call, n, results)
	}
	return nil
}
