package dht_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/reactor"
)

// TestSequentialOperationsAllocateNothing pins the documented cost: a
// warm, sequential blocking operation allocates nothing.
func TestSequentialOperationsAllocateNothing(t *testing.T) {
	ctx := context.Background()
	sys, _ := newSystem(t)
	tb := newTable(t, sys, 8)
	keys := benchKeys(64)
	for _, k := range keys {
		_, _, err := tb.Put(ctx, k, 1)
		require.NoError(t, err)
	}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		k := keys[i%len(keys)]
		i++
		_, _, _ = tb.Get(ctx, k)
		_, _, _ = tb.Put(ctx, k, i)
		_, _ = tb.CompareAndSwap(ctx, k, i, i+1, dht.Equal)
	})
	require.Zero(t, allocs)
}

func benchKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
	}
	return keys
}

// BenchmarkTable: sequential Get and Put from one goroutine on an
// 8-shard table of 1024 keys.
func BenchmarkTable(b *testing.B) {
	ctx := context.Background()
	sys := reactor.New()
	defer func() { _ = sys.Shutdown(ctx) }()
	tb, err := dht.New[string, int](sys, 8, dht.StringKey)
	require.NoError(b, err)
	defer func() { _ = tb.Close(ctx) }()
	keys := benchKeys(1024)
	for _, k := range keys {
		_, _, _ = tb.Put(ctx, k, 0)
	}
	b.Run("get", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_, _, _ = tb.Get(ctx, keys[i&1023])
		}
	})
	b.Run("put", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_, _, _ = tb.Put(ctx, keys[i&1023], i)
		}
	})
}

// rawShards is the raw-Go twin of Table: one goroutine per shard owning
// a map, fed by a channel; the caller waits on its own reply channel.
type rawShards struct {
	reqs []chan rawReq
	wg   sync.WaitGroup
}

type rawReq struct {
	put   bool
	key   string
	val   int
	reply chan rawReply
}

type rawReply struct {
	val int
	ok  bool
}

func newRawShards(n int) *rawShards {
	r := &rawShards{reqs: make([]chan rawReq, n)}
	for i := range r.reqs {
		ch := make(chan rawReq, 64)
		r.reqs[i] = ch
		r.wg.Go(func() {
			m := map[string]int{}
			for q := range ch {
				v, ok := m[q.key]
				if q.put {
					m[q.key] = q.val
				}
				q.reply <- rawReply{v, ok}
			}
		})
	}
	return r
}

func (r *rawShards) do(q rawReq) rawReply {
	r.reqs[dht.Jump(dht.StringKey(q.key), len(r.reqs))] <- q
	return <-q.reply
}

func (r *rawShards) close() {
	for _, ch := range r.reqs {
		close(ch)
	}
	r.wg.Wait()
}

func BenchmarkRawShards(b *testing.B) {
	raw := newRawShards(8)
	defer raw.close()
	keys := benchKeys(1024)
	reply := make(chan rawReply, 1)
	for _, k := range keys {
		raw.do(rawReq{put: true, key: k, reply: reply})
	}
	b.Run("get", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			raw.do(rawReq{key: keys[i&1023], reply: reply})
		}
	})
	b.Run("put", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			raw.do(rawReq{put: true, key: keys[i&1023], val: i, reply: reply})
		}
	})
}

// w5Keys is the key space of the W5-shaped benchmarks.
const w5Keys = 100_000

// w5Table returns a 32-shard table holding every key of [0, w5Keys), for
// 8 parallel clients on 2 cores; it is closed at the benchmark's end.
func w5Table(b *testing.B) *dht.Table[int64, int64] {
	ctx := context.Background()
	sys := reactor.New()
	b.Cleanup(func() { _ = sys.Shutdown(ctx) })
	tb, err := dht.New[int64, int64](sys, 32, dht.IntKey)
	require.NoError(b, err)
	b.Cleanup(func() { _ = tb.Close(ctx) })
	for k := range int64(w5Keys) {
		_, _, _ = tb.Put(ctx, k, k)
	}
	b.SetParallelism(4)
	b.ReportAllocs()
	b.ResetTimer()
	return tb
}

// BenchmarkTableParallel is W5's shape as a micro-benchmark: 8 client
// goroutines, 32 shards, 100,000 int keys, 90% Gets.
func BenchmarkTableParallel(b *testing.B) {
	ctx := context.Background()
	tb := w5Table(b)
	var seed atomic.Uint64
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(1, seed.Add(1)))
		for pb.Next() {
			k := rng.Int64N(w5Keys)
			if rng.IntN(100) >= 90 {
				_, _, _ = tb.Put(ctx, k, k)
			} else {
				_, _, _ = tb.Get(ctx, k)
			}
		}
	})
}

// BenchmarkMultiParallel is W5b's shape as a micro-benchmark: 8 client
// goroutines, 32 shards, 100,000 int keys, MultiGet batches of 90 keys
// and MultiPut batches of 10; one op is one item.
func BenchmarkMultiParallel(b *testing.B) {
	ctx := context.Background()
	tb := w5Table(b)
	var seed atomic.Uint64
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(1, seed.Add(1)))
		gets := make([]int64, 0, 90)
		puts := make([]dht.KV[int64, int64], 0, 10)
		for pb.Next() {
			if k := rng.Int64N(w5Keys); rng.IntN(100) >= 90 {
				puts = append(puts, dht.KV[int64, int64]{Key: k, Value: k})
			} else {
				gets = append(gets, k)
			}
			if len(gets)+len(puts) == 100 {
				_, _ = tb.MultiGet(ctx, gets)
				_, _ = tb.MultiPut(ctx, puts)
				gets, puts = gets[:0], puts[:0]
			}
		}
	})
}
