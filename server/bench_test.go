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
		reqs := rawEcho(0)
		defer close(reqs)
		reply := make(chan int64, 1)
		b.ReportAllocs()
		for i := range int64(b.N) {
			reqs <- rawReq{i, reply}
			if <-reply != i {
				b.Fatal("wrong reply")
			}
		}
	})
	b.Run("impl=reactors", func(b *testing.B) {
		askEcho(context.Background(), b)
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
		reqs := rawEcho(0)
		defer close(reqs)
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		reply := make(chan int64, 1)
		b.ReportAllocs()
		for i := range int64(b.N) {
			reqs <- rawReq{i, reply}
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
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		askEcho(ctx, b)
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
	// concurrently resets the timer, runs client on each of the clients
	// goroutines with its share of b.N (m requests), and waits for them.
	concurrently := func(b *testing.B, client func(m int64)) {
		m := int64(b.N/clients + 1)
		b.ReportAllocs()
		b.ResetTimer()
		var wg sync.WaitGroup
		for range clients {
			wg.Go(func() { client(m) })
		}
		wg.Wait()
	}
	b.Run("impl=raw", func(b *testing.B) {
		reqs := rawEcho(1024)
		defer close(reqs)
		concurrently(b, func(m int64) {
			reply := make(chan int64, 1)
			for i := range m {
				reqs <- rawReq{i, reply}
				if <-reply != i {
					panic("wrong reply")
				}
			}
		})
	})
	b.Run("impl=reactors", func(b *testing.B) {
		srv := benchEcho(b)
		ctx := context.Background()
		concurrently(b, func(m int64) {
			for i := range m {
				if v, err := server.Ask(ctx, srv, i); err != nil || v != i {
					panic("wrong reply")
				}
			}
		})
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

// rawReq is a request to the raw echo server: a value and where its echo
// goes.
type rawReq struct {
	v     int64
	reply chan int64
}

// rawEcho starts the raw echo server: a goroutine that answers every
// request sent on the returned channel (of capacity buf) until the caller
// closes it.
func rawEcho(buf int) chan<- rawReq {
	reqs := make(chan rawReq, buf)
	go func() {
		for r := range reqs {
			r.reply <- r.v
		}
	}()
	return reqs
}

// askEcho asks a fresh echo server (benchEcho) b.N times, one after
// another, under ctx, and checks every reply.
func askEcho(ctx context.Context, b *testing.B) {
	srv := benchEcho(b)
	b.ReportAllocs()
	for i := range int64(b.N) {
		if v, err := server.Ask(ctx, srv, i); err != nil || v != i {
			b.Fatal("wrong reply", v, err)
		}
	}
}
