package router_test

import (
	"context"
	"testing"

	"github.com/rs/zerolog"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

// BenchmarkRoute routes b.N events from one goroutine to 4 counting
// reactors through a router's channel, then waits until every event was
// handled; ns/op is per routed event.
//
//	go test -run '^$' -bench Route -count 8 ./router | benchstat -col /policy -
func BenchmarkRoute(b *testing.B) {
	policies := map[string]func() router.Policy[int]{
		"roundrobin": router.RoundRobin[int],
		"hash":       func() router.Policy[int] { return router.Hash(func(v int) uint64 { return uint64(v) }) },
		"random":     func() router.Policy[int] { return router.Random[int](nil) },
		"drr": func() router.Policy[int] {
			return router.DeficitRoundRobin(8, func(v int) int { return v%8 + 1 })
		},
	}
	for _, name := range []string{"roundrobin", "hash", "random", "drr"} {
		b.Run("policy="+name, func(b *testing.B) {
			b.ReportAllocs()
			sys := reactor.New(reactor.WithLogger(zerolog.Nop()))
			defer sys.Shutdown(context.Background())
			done := make(chan int, 4)
			rt := router.New(sys, "bench", policies[name]())
			for range 4 {
				ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
					n := 0
					r.Main().Events().OnEvent(func(v int) {
						if v < 0 {
							done <- n
							return
						}
						n++
					})
				})
				if err != nil {
					b.Fatal(err)
				}
				if err := rt.Add(ch); err != nil {
					b.Fatal(err)
				}
			}
			out := rt.Channel()
			b.ResetTimer()
			for i := range b.N {
				_ = out.Send(i)
			}
			total := 0
			for _, t := range rt.Targets() {
				_ = t.Send(-1)
			}
			for range 4 {
				total += <-done
			}
			if total != b.N {
				b.Fatalf("handled %d of %d", total, b.N)
			}
		})
	}
}
