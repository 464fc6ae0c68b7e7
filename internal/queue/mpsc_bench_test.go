package queue

import (
	"runtime"
	"testing"
)

// BenchmarkMPSC measures a push and its pop. same-goroutine: one goroutine
// pushes an element and pops it, so every op is uncontended and its cost is
// the claim, the publication and the read. cross-goroutine: one goroutine
// pushes b.N elements while another pops them, so slots and segments move
// between cores as they do between a sender and its reactor.
func BenchmarkMPSC(b *testing.B) {
	b.Run("same-goroutine", func(b *testing.B) {
		var q MPSC[int]
		for i := 0; b.Loop(); i++ {
			q.Push(i)
			if _, ok := q.Pop(); !ok {
				b.Fatal("pushed element not popped")
			}
		}
	})
	b.Run("cross-goroutine", func(b *testing.B) {
		var q MPSC[int]
		n := b.N
		done := make(chan int)
		go func() {
			got := 0
			for got < n {
				if _, ok := q.Pop(); ok {
					got++
				} else {
					runtime.Gosched()
				}
			}
			done <- got
		}()
		b.ResetTimer()
		for i := range n {
			q.Push(i)
		}
		if got := <-done; got != n {
			b.Fatalf("popped %d of %d", got, n)
		}
	})
}
