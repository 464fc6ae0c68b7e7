package table_test

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
	"github.com/reactors-go/reactors/remote/table"
)

// BenchmarkPut puts from 16 goroutines into a table of two members on
// one JetStream server (half the keys are the other member's), beside
// raw JetStream KV puts from as many goroutines on the same server:
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
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				i := next.Add(1)
				if _, err := kv.Put(ctx, "k"+strconv.FormatInt(i%10000, 10), []byte(strconv.FormatInt(i, 10))); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	for _, cache := range []bool{false, true} {
		b.Run("impl="+map[bool]string{false: "durable", true: "cache"}[cache], func(b *testing.B) {
			name := fmt.Sprintf("bench-%v", cache)
			n1, n2 := remotetest.Member(b, url, "b1"+name), remotetest.Member(b, url, "b2"+name)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cfg := table.Config[int]{Cache: cache}
			t1, err := table.Open[string, int](ctx, n1, name, dht.StringKey, cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer t1.Close(ctx)
			t2, err := table.Open[string, int](ctx, n2, name, dht.StringKey, cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer t2.Close(ctx)
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
