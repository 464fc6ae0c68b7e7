package server_test

import (
	"context"
	"testing"

	"github.com/rs/zerolog"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/server"
)

// BenchmarkAsk is W4 (sequential) in small: one goroutine asks an echo
// server b.N times, one after another; raw is a goroutine serving a Go
// channel of {value, reply channel}.
//
//	go test -run '^$' -bench Ask -count 8 ./server | benchstat -col /impl -
func BenchmarkAsk(b *testing.B) {
	b.Run("impl=raw", func(b *testing.B) {
		type req struct {
			v     int64
			reply chan int64
		}
		reqs := make(chan req)
		go func() {
			for r := range reqs {
				r.reply <- r.v
			}
		}()
		defer close(reqs)
		reply := make(chan int64, 1)
		b.ReportAllocs()
		for i := range int64(b.N) {
			reqs <- req{i, reply}
			if <-reply != i {
				b.Fatal("wrong reply")
			}
		}
	})
	b.Run("impl=reactors", func(b *testing.B) {
		sys := reactor.New(reactor.WithLogger(zerolog.Nop()))
		defer sys.Shutdown(context.Background())
		srv, err := server.Spawn(sys, func(v int64) (int64, error) { return v, nil })
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		b.ReportAllocs()
		for i := range int64(b.N) {
			if v, err := server.Ask(ctx, srv, i); err != nil || v != i {
				b.Fatal("wrong reply", v, err)
			}
		}
	})
}
