// Command dht is Reactors.IO's distributed hash table example on
// dht.Table: 32 shard reactors, each owning its part of the keys. It puts
// a set of keys one by one and gets them back, then puts and gets a batch
// with MultiPut and MultiGet (one message per shard involved; half of the
// batch overwrites keys already present). It prints where some keys live
// (Table.Shard), how many keys each shard holds, and Len.
//
// Then it reshards live: it adds a 33rd shard (Table.Resize) while a
// client goroutine keeps putting keys and reading them back, prints how
// many keys moved (with jump consistent hashing about 1/33, all to the new
// shard, none between the old ones) and checks that every key kept its
// value and that the client never read a stale value; then it removes the
// shard again, checks again, and counts the keys of a Range snapshot.
//
//	go run ./examples/dht [-shards 32] [-keys 1000] [-batch 200] [-show 4]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/reactor"
)

func main() {
	var cfg config
	flag.IntVar(&cfg.shards, "shards", 32, "shard reactors of the table")
	flag.IntVar(&cfg.keys, "keys", 1000, "keys put and got one by one")
	flag.IntVar(&cfg.batch, "batch", 200, "items of the MultiPut/MultiGet batch (half overwrite existing keys)")
	flag.IntVar(&cfg.show, "show", 4, "keys printed with their value and shard")
	flag.Parse()
	if _, err := run(os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "dht:", err)
		os.Exit(1)
	}
}

type config struct {
	shards, keys, batch, show int
}

// keyFunc places the keys: the table and the resharding count use it
// alike.
var keyFunc dht.KeyFunc[string] = dht.StringKey[string]

// Key i is "key-i"; a single Put gives it "value-i", the batch
// "batch-i".
func key(i int) string         { return fmt.Sprintf("key-%d", i) }
func singleValue(i int) string { return fmt.Sprintf("value-%d", i) }
func batchValue(i int) string  { return fmt.Sprintf("batch-%d", i) }

// batchRange returns the key indexes [lo, hi) of the batch: its first
// half overwrites the last keys put one by one, its second half is new.
func batchRange(cfg config) (lo, hi int) {
	lo = max(cfg.keys-cfg.batch/2, 0)
	return lo, lo + cfg.batch
}

// stats is what run observed.
type stats struct {
	singleHad int                  // single Puts that found a previous value
	singleGot []dht.Result[string] // Get of key(i) right after the single Puts
	batchKeys []string
	batchPrev []dht.Result[string] // MultiPut's previous values
	batchGot  []dht.Result[string] // MultiGet of batchKeys
	keys      []string             // distinct keys in the table, sorted by index
	final     map[string]string    // Get of every key at the end (found ones)
	shardOf   map[string]int       // Table.Shard of every key
	counts    []int                // keys per shard, from shardOf
	length    int                  // Table.Len
	moved     int                  // keys whose shard changed with one more shard
	movedTo   map[int]int          // new shard -> moved keys

	clientStarted chan struct{} // closed once the resharding client has run once
	clientOps     int           // put/get pairs the client ran during the resize
	staleReads    int           // of those, gets that missed the put before them
	lostGrow      int           // keys without their value after growing
	lostShrink    int           // keys without their value after shrinking back
	ranged        int           // keys of the final Range (the client's left out)
}

// run fills a table, reads it back and prints the placement.
func run(w io.Writer, cfg config) (stats, error) {
	if cfg.keys < 0 || cfg.batch < 0 {
		return stats{}, fmt.Errorf("negative key count %d or batch size %d", cfg.keys, cfg.batch)
	}
	ctx := context.Background()
	sys := reactor.New()
	defer sys.Shutdown(ctx)

	t, err := dht.New[string, string](sys, cfg.shards, keyFunc, dht.WithName("dht"))
	if err != nil {
		return stats{}, err
	}
	defer t.Close(ctx)

	st := stats{clientStarted: make(chan struct{})}
	// Put, then get, one key at a time.
	for i := range cfg.keys {
		_, had, err := t.Put(ctx, key(i), singleValue(i))
		if err != nil {
			return stats{}, err
		}
		if had {
			st.singleHad++
		}
	}
	for i := range cfg.keys {
		v, ok, err := t.Get(ctx, key(i))
		if err != nil {
			return stats{}, err
		}
		st.singleGot = append(st.singleGot, dht.Result[string]{Value: v, Found: ok})
	}
	fmt.Fprintf(w, "%d shards: put and got %d keys one by one\n", t.Shards(), cfg.keys)

	// The same, batched: one message per shard involved.
	lo, hi := batchRange(cfg)
	kvs := make([]dht.KV[string, string], 0, hi-lo)
	for i := lo; i < hi; i++ {
		st.batchKeys = append(st.batchKeys, key(i))
		kvs = append(kvs, dht.KV[string, string]{Key: key(i), Value: batchValue(i)})
	}
	if st.batchPrev, err = t.MultiPut(ctx, kvs); err != nil {
		return stats{}, err
	}
	if st.batchGot, err = t.MultiGet(ctx, st.batchKeys); err != nil {
		return stats{}, err
	}
	involved := map[int]bool{}
	replaced, found := 0, 0
	for i, k := range st.batchKeys {
		s, err := t.Shard(k)
		if err != nil {
			return stats{}, err
		}
		involved[s] = true
		if st.batchPrev[i].Found {
			replaced++
		}
		if st.batchGot[i].Found {
			found++
		}
	}
	fmt.Fprintf(w, "MultiPut of %d items over %d shards: %d replaced, %d new; MultiGet found %d\n",
		len(kvs), len(involved), replaced, len(kvs)-replaced, found)

	// Read everything back, and where it lives.
	st.final = map[string]string{}
	st.shardOf = map[string]int{}
	st.counts = make([]int, t.Shards())
	for i := range max(cfg.keys, hi) {
		k := key(i)
		st.keys = append(st.keys, k)
		v, ok, err := t.Get(ctx, k)
		if err != nil {
			return stats{}, err
		}
		if ok {
			st.final[k] = v
		}
		s, err := t.Shard(k)
		if err != nil {
			return stats{}, err
		}
		st.shardOf[k] = s
		st.counts[s]++
	}
	for _, i := range showIndexes(cfg, lo, hi) {
		k := key(i)
		fmt.Fprintf(w, "  %s = %s on shard %d\n", k, st.final[k], st.shardOf[k])
	}
	if st.length, err = t.Len(ctx); err != nil {
		return stats{}, err
	}
	fmt.Fprintf(w, "keys per shard: %v\n", st.counts)
	if len(st.counts) > 0 {
		fmt.Fprintf(w, "  min %d, max %d, mean %.1f; Len = %d\n",
			slices.Min(st.counts), slices.Max(st.counts),
			float64(st.length)/float64(len(st.counts)), st.length)
	}

	// Live resharding: one more shard while a client writes and reads,
	// then back; a Range snapshot at the end.
	if err := reshard(ctx, w, t, &st); err != nil {
		return stats{}, err
	}
	return st, nil
}

// reshard grows the table by one shard while a client goroutine keeps
// writing and reading back its own keys, counts the keys that moved and
// checks every key's value, then shrinks the table back and checks
// again.
func reshard(ctx context.Context, w io.Writer, t *dht.Table[string, string], st *stats) error {
	n := t.Shards()
	before := make(map[string]int, len(st.keys))
	for _, k := range st.keys {
		before[k], _ = t.Shard(k)
	}
	stop, clientDone := make(chan struct{}), make(chan error, 1)
	go func() { clientDone <- client(ctx, t, stop, st) }()
	<-st.clientStarted // the client runs before the resize starts
	err := t.Resize(ctx, n+1)
	close(stop)
	if cerr := <-clientDone; err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	st.movedTo = map[int]int{}
	for _, k := range st.keys {
		if s, _ := t.Shard(k); s != before[k] {
			st.moved++
			st.movedTo[s]++
		}
	}
	if st.lostGrow, err = check(ctx, t, st.final); err != nil {
		return err
	}
	fmt.Fprintf(w, "resized %d -> %d shards while a client ran %d put/get pairs (%d stale reads): shard %d took %d of %d keys (%.1f%%; 1/%d = %.1f%%), %d keys lost\n",
		n, t.Shards(), st.clientOps, st.staleReads, n, st.moved, len(st.keys),
		100*float64(st.moved)/float64(max(len(st.keys), 1)), n+1, 100/float64(n+1), st.lostGrow)
	if err := t.Resize(ctx, n); err != nil {
		return err
	}
	if st.lostShrink, err = check(ctx, t, st.final); err != nil {
		return err
	}
	err = t.Range(ctx, func(k, v string) bool {
		if !strings.HasPrefix(k, "client-") {
			st.ranged++
		}
		return true
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "resized back to %d shards: %d keys lost; a Range snapshot holds %d keys\n", t.Shards(), st.lostShrink, st.ranged)
	return nil
}

// client puts client-i = i and reads it back, for growing i, until stop
// is closed, counting the reads that did not return the value just put.
func client(ctx context.Context, t *dht.Table[string, string], stop <-chan struct{}, st *stats) error {
	for i := 0; ; i++ {
		k, v := fmt.Sprintf("client-%d", i%64), strconv.Itoa(i)
		if _, _, err := t.Put(ctx, k, v); err != nil {
			return err
		}
		got, ok, err := t.Get(ctx, k)
		if err != nil {
			return err
		}
		if !ok || got != v {
			st.staleReads++
		}
		st.clientOps++
		if i == 0 {
			close(st.clientStarted)
		}
		select {
		case <-stop:
			return nil
		default:
		}
	}
}

// check returns how many keys of want the table does not hold with their
// value.
func check(ctx context.Context, t *dht.Table[string, string], want map[string]string) (int, error) {
	lost := 0
	for k, v := range want {
		got, ok, err := t.Get(ctx, k)
		if err != nil {
			return 0, err
		}
		if !ok || got != v {
			lost++
		}
	}
	return lost, nil
}

// showIndexes picks up to cfg.show key indexes to print: about half from
// the single Puts, the rest from the batch, alternating between keys it
// overwrote and keys it added.
func showIndexes(cfg config, lo, hi int) []int {
	var idx []int
	for i := 0; i < min(cfg.keys, lo) && len(idx) < (cfg.show+1)/2; i++ {
		idx = append(idx, i)
	}
	old, added := lo, max(cfg.keys, lo)
	for len(idx) < cfg.show && (old < min(cfg.keys, hi) || added < hi) {
		if old < min(cfg.keys, hi) {
			idx = append(idx, old)
			old++
		}
		if added < hi && len(idx) < cfg.show {
			idx = append(idx, added)
			added++
		}
	}
	return idx
}
