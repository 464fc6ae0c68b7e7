package table_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
	"github.com/reactors-go/reactors/remote/table"
)

// BenchmarkPut puts from 16 goroutines into a table on one JetStream
// server, of one member or of two (half the keys are the other
// member's), beside raw JetStream KV puts from as many goroutines on the
// same server:
//
//	go test -run '^$' -bench Put -count 6 ./remote/table | benchstat -col /impl -
func BenchmarkPut(b *testing.B) {
	url := remotetest.JetStreamServer(b, nil)
	b.Run("impl=jetstream-kv", func(b *testing.B) {
		nc, err := nats.Connect(url)
		if err != nil {
			b.Fatal(err)
		}
		defer nc.Close()
		js, _ := jetstream.New(nc)
		kv, err := js.CreateKeyValue(context.Background(), jetstream.KeyValueConfig{Bucket: "raw", History: 1})
		if err != nil {
			b.Fatal(err)
		}
		var next atomic.Int64
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				i := next.Add(1)
				key := "k" + strconv.FormatInt(i%10000, 10)
				if _, err := kv.Put(ctx, key, []byte(strconv.FormatInt(i, 10))); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	for _, c := range []struct {
		impl    string
		cache   bool
		members int
	}{{"durable-one", false, 1}, {"durable", false, 2}, {"cache", true, 2}} {
		b.Run("impl="+c.impl, func(b *testing.B) {
			name := "bench-" + c.impl
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cfg := table.Config[int]{Cache: c.cache}
			var tables []*table.Table[string, int]
			for i := range c.members {
				n := remotetest.Member(b, url, fmt.Sprintf("b%d%s", i, name))
				t, err := table.Open[string, int](ctx, n, name, dht.StringKey, cfg)
				if err != nil {
					b.Fatal(err)
				}
				tables = append(tables, t)
			}
			defer func() {
				b.StopTimer() // a goodbye is not a put
				for _, t := range slices.Backward(tables) {
					_ = t.Close(ctx)
				}
			}()
			t1 := tables[0]
			var next atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1)
					if _, _, err := t1.Put(ctx, "k"+strconv.FormatInt(i%10000, 10), int(i)); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkTakeOver measures how long the keys of a durable table are
// unavailable when their holder goes, with 100,000 keys stored: after a
// goodbye (Close: the next member loads them from the bucket at once),
// and after a death (the connection closed with no goodbye: the next
// member waits for the holder's lease, 1 s here, to end). Run it once:
//
//	go test -run '^$' -bench TakeOver -benchtime 1x ./remote/table
func BenchmarkTakeOver(b *testing.B) {
	const keys = 100_000
	for _, death := range []bool{false, true} {
		b.Run(map[bool]string{false: "goodbye", true: "death"}[death], func(b *testing.B) {
			url := remotetest.JetStreamServer(b, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			var total time.Duration
			for i := range b.N {
				b.StopTimer()
				name := fmt.Sprintf("take-%d", i)
				n1 := remotetest.Member(b, url, "t1-"+name, remote.WithLeaseTTL(time.Second))
				t1, err := table.Open[string, int](ctx, n1, name, dht.StringKey, table.Config[int]{})
				if err != nil {
					b.Fatal(err)
				}
				var next atomic.Int64
				errs := make(chan error, 16)
				for range 16 {
					go func() {
						for {
							k := next.Add(1)
							if k > keys {
								errs <- nil
								return
							}
							if _, _, err := t1.Put(ctx, strconv.FormatInt(k, 10), int(k)); err != nil {
								errs <- err
								return
							}
						}
					}()
				}
				for range 16 {
					if err := <-errs; err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				start := time.Now()
				if death {
					n1.Conn().Close()
				} else if err := t1.Close(ctx); err != nil {
					b.Fatal(err)
				}
				n2 := remotetest.Member(b, url, "t2-"+name, remote.WithLeaseTTL(time.Second))
				t2, err := table.Open[string, int](ctx, n2, name, dht.StringKey, table.Config[int]{})
				if err != nil {
					b.Fatal(err)
				}
				for range 10 * time.Second / time.Millisecond { // until the dead member is out
					if ms := t2.Members(); len(ms) == 1 {
						break
					}
					time.Sleep(time.Millisecond)
				}
				if _, _, err := t2.Get(ctx, "1"); err != nil { // served: loaded
					b.Fatal(err)
				}
				total += time.Since(start)
				b.StopTimer()
				if n, err := t2.Len(ctx); err != nil || n != keys {
					b.Fatalf("%d keys after the take-over (%v), want %d", n, err, keys)
				}
				_ = t2.Close(ctx)
				_ = t1.Close(ctx) // after a death: stops what is left of it
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s/take-over")
		})
	}
}
