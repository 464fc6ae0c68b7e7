package reactortest_test

import (
	"testing"

	"github.com/reactors-go/reactors/reactortest"
)

// TestPingPongRunsToBN runs the ping-pong body as a benchmark: it must
// return once the counter reached b.N, with a timing for each round.
func TestPingPongRunsToBN(t *testing.T) {
	sys := reactortest.NewSystem(t)
	res := testing.Benchmark(func(b *testing.B) { reactortest.PingPong(b, sys) })
	if res.N == 0 || res.T <= 0 {
		t.Fatalf("ping-pong benchmark did not run: %+v", res)
	}
}
