package reactortest

import (
	"testing"

	"github.com/reactors-go/reactors/reactor"
)

// PingPong is the body of a ping-pong benchmark on sys: two reactors pass
// a counter back and forth until it reaches b.N, one message in flight at
// any time, so that ns/op is the cost of one message from one reactor to
// another (a send, a wake-up and a turn). It resets b's timer once both
// reactors are up and returns when the counter has reached b.N; the
// reactors then stay idle until sys shuts down. A failed spawn fails b.
func PingPong(b *testing.B, sys *reactor.System) {
	b.Helper()
	n := b.N
	done := make(chan struct{})
	var pa, pb reactor.Channel[int]
	ready := make(chan struct{})
	pa, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(k int) {
			if k >= n {
				close(done)
				return
			}
			_ = pb.Send(k + 1)
		})
	})
	if err != nil {
		b.Fatal(err)
	}
	pb, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		<-ready
		r.Main().Events().OnEvent(func(k int) { _ = pa.Send(k + 1) })
	})
	if err != nil {
		b.Fatal(err)
	}
	close(ready)
	b.ResetTimer()
	_ = pa.Send(1)
	<-done
}
