package reactor_test

import (
	"context"
	"testing"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// BenchmarkChain feeds b.N events through a reactor's main connector into
// a handler, bare or behind a map, filter and scan chain; ns/op is per
// event, and the difference between the two, divided by three, is the cost
// of one stage. B/op shows that the chain allocates nothing per event.
//
//	go test -run '^$' -bench Chain -benchmem -count 8 ./reactor | benchstat -col /chain -
func BenchmarkChain(b *testing.B) {
	for _, chain := range []string{"bare", "map-filter-scan"} {
		b.Run("chain="+chain, func(b *testing.B) {
			b.ReportAllocs()
			sys := reactor.New(reactor.WithWorkers(1))
			defer sys.Shutdown(context.Background())
			n := b.N
			done := make(chan int, 1)
			ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
				seen := 0
				sink := func(int) {
					if seen++; seen == n {
						done <- seen
					}
				}
				e := r.Main().Events()
				if chain == "bare" {
					e.OnEvent(sink)
					return
				}
				doubled := events.Map(e, func(v int) int { return 2 * v })
				even := doubled.Filter(func(v int) bool { return v%2 == 0 })
				events.Scan(even, 0, func(acc, v int) int { return acc + v }).OnEvent(sink)
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range n {
				_ = ch.Send(i)
			}
			<-done
		})
	}
}
