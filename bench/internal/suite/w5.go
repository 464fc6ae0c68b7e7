package suite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
	"unsafe"

	"github.com/reactors-go/reactors/dht"
)

// Sizes of W5.
const (
	w5Ops     = 1_000_000 // total ops of a run, split evenly over the clients
	w5Clients = 8         // C, not scaled
	W5Shards  = 32        // S, not scaled
	W5Keys    = 100_000   // key space [0, W5Keys), not scaled
	w5GetPct  = 90        // IntN(100) >= w5GetPct makes an op a Put
	w5Seed    = 1         // first PCG seed; the second is c+1
	w5RawBuf  = w5Clients // raw shard channel capacity: C requests are the most ever outstanding
)

// Answers recorded by the clients, besides the values of Gets that hit
// (every stored value is >= 0).
const (
	w5Unanswered int64 = -2 // written before t0; an op that never ran
	w5Missing    int64 = -1 // a Get that found nothing
)

// w5 is W5, sharded KV with single operations: C client goroutines each run
// a pre-generated stream of synchronous Gets (90 %) and Puts on uniform
// keys against S shards preloaded with every key. The raw peers are S
// shard goroutines behind channels (the actor architecture without a
// framework), S RWMutex-guarded maps and one sync.Map; this framework's
// peer is a dht.Table of S shard reactors, and in server-router
// (w5router.go) S server.Spawn shards behind a router.Hash, asked through
// the router's Channel.
//
// W5b (w5b.go) runs the same streams in batches of 100 through
// MultiGet/MultiPut, against the RWMutex-guarded maps.
func w5() workload {
	return workload{
		name: "W5",
		describe: func(cfg *config) string {
			return fmt.Sprintf("sharded KV single ops %s; "+
				"raw splitmix64(key) mod S, shard chan capacity=%d, reply chan capacity=1; reactors dht.Table IntKey+Jump, Get/Put(context.Background()); "+
				"server-router: S server.Spawn map shards behind router.Hash(key), server.Ask(context.Background(), router.Channel(), op)",
				w5Params(cfg), w5RawBuf)
		},
		cases: []benchCase{
			{peer: peerRaw, variant: "shard-goroutines", run: w5Raw("shard-goroutines")},
			{peer: peerRaw, variant: "rwmutex-map", run: w5Raw("rwmutex-map")},
			{peer: peerRaw, variant: "sync-map", run: w5Raw("sync-map")},
			{peer: peerReactors, variant: "dht", run: w5Reactors},
			{peer: peerReactors, variant: "server-router", run: w5Router},
		},
		ratios: []ratioDef{
			{variant: "dht", refVariant: "shard-goroutines", metric: "ops_per_s"},
			{variant: "dht", refVariant: "rwmutex-map", metric: "ops_per_s"},
			{variant: "server-router", refVariant: "shard-goroutines", metric: "ops_per_s"},
		},
	}
}

// w5Params describes the data W5 and W5b share: shards, clients, ops, keys,
// the Get share and the streams' seeds.
func w5Params(cfg *config) string {
	per := W5PerClient(RunParams{factor: cfg.scale})
	return fmt.Sprintf("S=%d C=%d ops=%d (%d per client) keys=%d get=%d%% streams PCG(%d, c+1)",
		W5Shards, w5Clients, per*w5Clients, per, W5Keys, w5GetPct, w5Seed)
}

// W5Op is one operation of a client's stream: a Get of key, or a Put of
// val (c<<40 | i for op i of client c) to key.
type W5Op struct {
	Key int64 // in [0, W5Keys)
	Val int64 // the value a Put writes
	Put bool  // a Put; a Get otherwise
}

// W5PerClient returns the ops of each client: the scaled total over C.
func W5PerClient(p RunParams) int { return max(1, p.Count(w5Ops)/w5Clients) }

// w5Streams caches the op streams last generated: the warm-up and the
// measured runs of every peer each use one length, so one entry suffices.
// The streams are read-only once generated.
var w5Streams struct {
	sync.Mutex
	per     int
	streams [][]W5Op
}

// W5Generate returns the op streams of the C clients, per ops each, as
// W5 defines them: client c draws from PCG(1, c+1), key first,
// then the Get/Put choice.
func W5Generate(per int) [][]W5Op {
	w5Streams.Lock()
	defer w5Streams.Unlock()
	if w5Streams.per == per {
		return w5Streams.streams
	}
	streams := make([][]W5Op, w5Clients)
	for c := range streams {
		r := rand.New(rand.NewPCG(w5Seed, uint64(c+1)))
		ops := make([]W5Op, per)
		for i := range ops {
			key := int64(r.IntN(W5Keys))
			ops[i] = W5Op{Key: key, Val: int64(c)<<40 | int64(i), Put: r.IntN(100) >= w5GetPct}
		}
		streams[c] = ops
	}
	w5Streams.per, w5Streams.streams = per, streams
	return streams
}

// W5Answer is what a client records for op: 0 for a Put's ack, the value
// of a Get that hit, w5Missing for a Get that missed.
func W5Answer(op W5Op, v int64, found bool) int64 {
	switch {
	case op.Put:
		return 0
	case found:
		return v
	}
	return w5Missing
}

// w5Check validates a run's answers (after t1): every op was answered,
// every Get hit (the hits equal the Gets of the streams), and every value
// a Get saw is the key's preloaded value or one a Put of the streams wrote
// to that key.
func w5Check(streams [][]W5Op, got [][]int64) error {
	gets, hits := 0, 0
	for c, ops := range streams {
		for i, op := range ops {
			v := got[c][i]
			switch {
			case v == w5Unanswered:
				return fmt.Errorf("client %d op %d was never answered", c, i)
			case op.Put:
				continue
			}
			gets++
			if v == w5Missing {
				continue
			}
			hits++
			if v == op.Key {
				continue
			}
			wc, wi := v>>40, v&(1<<40-1)
			if wc < 0 || wc >= int64(len(streams)) || wi >= int64(len(streams[wc])) ||
				!streams[wc][wi].Put || streams[wc][wi].Key != op.Key {
				return fmt.Errorf("client %d op %d: Get of key %d returned %d, never written to it", c, i, op.Key, v)
			}
		}
	}
	if hits != gets {
		return fmt.Errorf("%d hits for %d Gets: %d keys missing", hits, gets, gets-hits)
	}
	return nil
}

// W5Client runs client c's stream, recording the answer of op i in got[i].
type W5Client func(c int, ops []W5Op, got []int64) error

// W5Drive parks the C clients at a barrier, releases them at t0 and
// returns the time until the last one has finished its stream, having
// checked every answer. The answer slices are allocated and written before
// t0. When the deadline fires the clients are left blocked; the caller's
// teardown ends them or leaves them.
func W5Drive(streams [][]W5Op, client W5Client, deadline <-chan time.Time) (Result, error) {
	got := make([][]int64, len(streams))
	total := 0
	for c, ops := range streams {
		got[c] = make([]int64, len(ops))
		for i := range got[c] {
			got[c][i] = w5Unanswered
		}
		total += len(ops)
	}
	errs := make([]error, len(streams))
	finished := NewLatch(len(streams))
	var parked sync.WaitGroup
	start := make(chan struct{})
	for c := range streams {
		parked.Add(1)
		go func() {
			defer finished.Done()
			parked.Done()
			<-start
			errs[c] = client(c, streams[c], got[c])
		}()
	}
	parked.Wait()

	t0 := time.Now()
	close(start)
	if err := finished.Wait(deadline, "clients"); err != nil {
		return nil, err
	}
	t := time.Since(t0)

	for c, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("client %d: %w", c, err)
		}
	}
	if err := w5Check(streams, got); err != nil {
		return nil, err
	}
	return Result{{"ops_per_s", float64(total) / t.Seconds()}}, nil
}

// w5Shard returns the raw peers' shard of key.
func w5Shard(key int64) uint64 { return splitmix64(uint64(key)) % W5Shards }

// w5Req is a raw shard-goroutine request (32 B): a Get of key, or a Put of
// val to key, and where its reply goes.
type w5Req struct {
	key, val int64
	put      bool
	reply    chan w5Reply
}

// w5Reply is a raw shard goroutine's answer: a Get's value and whether it
// was found; for a Put, an ack sent once the write is applied.
type w5Reply struct {
	val   int64
	found bool
}

// w5LockedShard is a shard of the raw rwmutex-map peer, padded to 128 B
// so that no two shards share a cache line.
type w5LockedShard struct {
	mu sync.RWMutex
	m  map[int64]int64
	_  [128 - unsafe.Sizeof(sync.RWMutex{}) - unsafe.Sizeof(map[int64]int64(nil))]byte
}

// w5LockedShards returns the S shards of the rwmutex-map peer, preloaded
// with every key.
func w5LockedShards() []w5LockedShard {
	shards := make([]w5LockedShard, W5Shards)
	for s := range shards {
		shards[s].m = make(map[int64]int64)
	}
	for k := range int64(W5Keys) {
		shards[w5Shard(k)].m[k] = k
	}
	return shards
}

// w5Raw runs the streams on a raw peer. shard-goroutines: S goroutines,
// each owning its map and reading requests from its own channel; each
// client owns a reply channel of capacity 1 and reuses it. rwmutex-map: S
// padded {RWMutex, map} shards, RLock for Get and Lock for Put.
// sync-map: one sync.Map. All three are preloaded directly, before t0.
func w5Raw(variant string) func(p RunParams) (Result, error) {
	return func(p RunParams) (Result, error) {
		streams := W5Generate(W5PerClient(p))
		deadline := NewDeadline()
		defer deadline.Stop()
		var client W5Client
		teardown := func() error { return nil }
		switch variant {
		case "shard-goroutines":
			shards := make([]chan w5Req, W5Shards)
			maps := make([]map[int64]int64, W5Shards)
			for s := range maps {
				maps[s] = make(map[int64]int64)
			}
			for k := range int64(W5Keys) {
				maps[w5Shard(k)][k] = k
			}
			exited := NewLatch(W5Shards)
			for s := range shards {
				ch, m := make(chan w5Req, w5RawBuf), maps[s]
				shards[s] = ch
				go func() {
					defer exited.Done()
					for r := range ch {
						if r.put {
							m[r.key] = r.val
							r.reply <- w5Reply{}
							continue
						}
						v, ok := m[r.key]
						r.reply <- w5Reply{v, ok}
					}
				}()
			}
			replies := make([]chan w5Reply, w5Clients)
			for c := range replies {
				replies[c] = make(chan w5Reply, 1)
			}
			client = func(c int, ops []W5Op, got []int64) error {
				reply := replies[c]
				for i, op := range ops {
					shards[w5Shard(op.Key)] <- w5Req{op.Key, op.Val, op.Put, reply}
					r := <-reply
					got[i] = W5Answer(op, r.val, r.found)
				}
				return nil
			}
			teardown = func() error {
				for _, ch := range shards {
					close(ch)
				}
				return exited.Wait(deadline.C, "shard exits")
			}
		case "rwmutex-map":
			shards := w5LockedShards()
			client = func(_ int, ops []W5Op, got []int64) error {
				for i, op := range ops {
					s := &shards[w5Shard(op.Key)]
					if op.Put {
						s.mu.Lock()
						s.m[op.Key] = op.Val
						s.mu.Unlock()
						got[i] = 0
						continue
					}
					s.mu.RLock()
					v, ok := s.m[op.Key]
					s.mu.RUnlock()
					got[i] = W5Answer(op, v, ok)
				}
				return nil
			}
		case "sync-map":
			var m sync.Map
			for k := range int64(W5Keys) {
				m.Store(k, k)
			}
			client = func(_ int, ops []W5Op, got []int64) error {
				for i, op := range ops {
					if op.Put {
						m.Store(op.Key, op.Val)
						got[i] = 0
						continue
					}
					x, ok := m.Load(op.Key)
					v, isInt := x.(int64)
					got[i] = W5Answer(op, v, ok && isInt)
				}
				return nil
			}
		default:
			panic("bench: unknown W5 variant " + variant)
		}
		res, err := W5Drive(streams, client, deadline.C)
		if err != nil {
			return nil, err // clients may still be blocked: leave the shards
		}
		if err := teardown(); err != nil {
			return nil, err
		}
		return res, nil
	}
}

// w5Reactors runs the streams on a dht.Table of S shard reactors (see
// w5OnTable); clients are plain goroutines calling Get and Put with
// context.Background(). Besides w5Check, every Put of the run must report
// a previous value, since every key is preloaded.
func w5Reactors(p RunParams) (Result, error) {
	return w5OnTable(p, func(tbl *dht.Table[int64, int64]) W5Client {
		return func(_ int, ops []W5Op, got []int64) error {
			ctx := context.Background()
			for i, op := range ops {
				if op.Put {
					_, had, err := tbl.Put(ctx, op.Key, op.Val)
					if err != nil {
						return err
					}
					if !had {
						return fmt.Errorf("put of key %d found no previous value", op.Key)
					}
					got[i] = 0
					continue
				}
				v, ok, err := tbl.Get(ctx, op.Key)
				if err != nil {
					return err
				}
				got[i] = W5Answer(op, v, ok)
			}
			return nil
		}
	})
}

// w5OnTable runs the streams of p with the clients that client returns for
// a dht.Table of S shard reactors keyed with dht.IntKey. The table is
// preloaded with Puts before t0 and its Len checked; it is closed and its
// system shut down after t1.
func w5OnTable(p RunParams, client func(tbl *dht.Table[int64, int64]) W5Client) (res Result, err error) {
	streams := W5Generate(W5PerClient(p))
	sys, deadline, finish := startReactors()
	defer finish(&res, &err)
	tbl, err := dht.New[int64, int64](sys, W5Shards, dht.IntKey[int64])
	if err != nil {
		return nil, err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		defer cancel()
		if cerr := tbl.Close(ctx); cerr != nil && err == nil {
			res, err = nil, fmt.Errorf("close: %w", cerr)
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
	defer cancel()
	for k := range int64(W5Keys) {
		if _, had, err := tbl.Put(ctx, k, k); err != nil {
			return nil, fmt.Errorf("preload: %w", err)
		} else if had {
			return nil, fmt.Errorf("preload: key %d already present", k)
		}
	}
	if n, err := tbl.Len(ctx); err != nil {
		return nil, fmt.Errorf("preload: %w", err)
	} else if n != W5Keys {
		return nil, fmt.Errorf("preload: table holds %d keys, want %d", n, W5Keys)
	}

	return W5Drive(streams, client(tbl), deadline.C)
}
