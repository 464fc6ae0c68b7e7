package server_test

import (
	"context"
	"sync"
	"testing"
	"time"

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
		srv := benchEcho(b)
		ctx := context.Background()
		b.ReportAllocs()
		for i := range int64(b.N) {
			if v, err := server.Ask(ctx, srv, i); err != nil || v != i {
				b.Fatal("wrong reply", v, err)
			}
		}
	})
}

// BenchmarkAskDeadline is W4 (sequential-deadline) in small: one goroutine
// asks an echo server b.N times under a context that can end (one made
// for the whole run, so that the timer's own cost stays out); raw sends
// on a Go channel and selects on the reply and ctx.Done().
//
//	go test -run '^$' -bench AskDeadline -count 8 ./server | benchstat -col /impl -
func BenchmarkAskDeadline(b *testing.B) {
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
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		reply := make(chan int64, 1)
		b.ReportAllocs()
		for i := range int64(b.N) {
			reqs <- req{i, reply}
			select {
			case v := <-reply:
				if v != i {
					b.Fatal("wrong reply")
				}
			case <-ctx.Done():
				b.Fatal(ctx.Err())
			}
		}
	})
	b.Run("impl=reactors", func(b *testing.B) {
		srv := benchEcho(b)
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		b.ReportAllocs()
		for i := range int64(b.N) {
			if v, err := server.Ask(ctx, srv, i); err != nil || v != i {
				b.Fatal("wrong reply", v, err)
			}
		}
	})
}

// BenchmarkAskConcurrent is W4 (concurrent) in small: 16 goroutines ask
// one echo server, each one request after another, b.N requests in all;
// raw is a goroutine serving a buffered Go channel of {value, reply
// channel}, each client reusing its own reply channel.
//
//	go test -run '^$' -bench AskConcurrent -count 8 ./server | benchstat -col /impl -
func BenchmarkAskConcurrent(b *testing.B) {
	const clients = 16
	per := func(n int) int { return n/clients + 1 }
	b.Run("impl=raw", func(b *testing.B) {
		type req struct {
			v     int64
			reply chan int64
		}
		reqs := make(chan req, 1024)
		go func() {
			for r := range reqs {
				r.reply <- r.v
			}
		}()
		defer close(reqs)
		m := per(b.N)
		b.ReportAllocs()
		b.ResetTimer()
		var wg sync.WaitGroup
		for range clients {
			wg.Go(func() {
				reply := make(chan int64, 1)
				for i := range int64(m) {
					reqs <- req{i, reply}
					if <-reply != i {
						panic("wrong reply")
					}
				}
			})
		}
		wg.Wait()
	})
	b.Run("impl=reactors", func(b *testing.B) {
		srv := benchEcho(b)
		ctx := context.Background()
		m := per(b.N)
		b.ReportAllocs()
		b.ResetTimer()
		var wg sync.WaitGroup
		for range clients {
			wg.Go(func() {
				for i := range int64(m) {
					if v, err := server.Ask(ctx, srv, i); err != nil || v != i {
						panic("wrong reply")
					}
				}
			})
		}
		wg.Wait()
	})
}

// benchEcho spawns an echo server in a system of its own, shut down at
// the benchmark's end.
func benchEcho(b *testing.B) server.Server[int64, int64] {
	b.Helper()
	sys := reactor.New(reactor.WithLogger(zerolog.Nop()))
	b.Cleanup(func() { _ = sys.Shutdown(context.Background()) })
	srv, err := server.Spawn(sys, func(v int64) (int64, error) { return v, nil })
	if err != nil {
		b.Fatal(err)
	}
	return srv
}
