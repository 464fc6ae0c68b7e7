package reactor_test

import (
	"context"
	"sync"
	"testing"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// Micro-benchmarks of the runtime's hot paths, each beside its raw-Go
// counterpart so that benchstat can compare them from one run:
//
//	go test -run '^$' -bench . -count 10 ./reactor | tee new.txt
//	benchstat -col /impl new.txt

// BenchmarkPingPong bounces one message between two reactors (raw: two
// goroutines and two channels); ns/op is per message.
func BenchmarkPingPong(b *testing.B) {
	b.Run("impl=raw", func(b *testing.B) {
		n := b.N
		ab, ba := make(chan int, 1), make(chan int, 1)
		done := make(chan struct{})
		go func() {
			for k := range ab {
				if k >= n {
					close(done)
					return
				}
				ba <- k + 1
			}
		}()
		go func() {
			for k := range ba {
				ab <- k + 1
			}
		}()
		b.ResetTimer()
		ab <- 1
		<-done
		b.StopTimer()
		close(ba)
	})
	b.Run("impl=reactors", func(b *testing.B) {
		sys := reactor.New()
		defer sys.Shutdown(context.Background())
		reactortest.PingPong(b, sys)
	})
	b.Run("impl=observed", func(b *testing.B) { // introspection on: counters and sampled flows
		sys := reactor.New(reactor.WithIntrospection())
		defer sys.Shutdown(context.Background())
		reactortest.PingPong(b, sys)
	})
}

// ringSize is the length of BenchmarkRing's ring (the classic thread-ring
// benchmark's 503).
const ringSize = 503

// BenchmarkRing passes one token around a ring of ringSize reactors, each
// hop a Send from inside a handler (raw: ringSize goroutines, each with a
// channel); ns/op is per hop.
func BenchmarkRing(b *testing.B) {
	b.Run("impl=raw", func(b *testing.B) {
		n := b.N
		chans := make([]chan int, ringSize)
		for i := range chans {
			chans[i] = make(chan int, 1)
		}
		done := make(chan struct{})
		var wg sync.WaitGroup
		for i := range ringSize {
			wg.Go(func() {
				next := chans[(i+1)%ringSize]
				for k := range chans[i] {
					if k >= n {
						close(done)
						return
					}
					next <- k + 1
				}
			})
		}
		b.ResetTimer()
		chans[0] <- 1
		<-done
		b.StopTimer()
		for _, ch := range chans {
			close(ch)
		}
		wg.Wait()
	})
	b.Run("impl=reactors", func(b *testing.B) {
		sys := reactor.New()
		defer sys.Shutdown(context.Background())
		n := b.N
		done := make(chan struct{})
		// Filled before the first Send, which orders the writes before
		// every handler's read.
		chans := make([]reactor.Channel[int], ringSize)
		for i := range ringSize {
			chans[i], _ = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
				r.Main().Events().OnEvent(func(k int) {
					if k >= n {
						close(done)
						return
					}
					_ = chans[(i+1)%ringSize].Send(k + 1)
				})
			})
		}
		b.ResetTimer()
		_ = chans[0].Send(1)
		<-done
	})
}

// BenchmarkFanIn sends from 8 goroutines to one consumer; ns/op is per
// message.
func BenchmarkFanIn(b *testing.B) {
	const producers = 8
	per := func(n int) int { return n/producers + 1 }
	b.Run("impl=raw", func(b *testing.B) {
		ch := make(chan int, 1024)
		m := per(b.N)
		done := make(chan struct{})
		go func() {
			for i := 0; i < producers*m; i++ {
				<-ch
			}
			close(done)
		}()
		b.ResetTimer()
		var wg sync.WaitGroup
		for range producers {
			wg.Go(func() {
				for i := range m {
					ch <- i
				}
			})
		}
		<-done
		wg.Wait()
	})
	b.Run("impl=reactors", func(b *testing.B) {
		sys := reactor.New()
		defer sys.Shutdown(context.Background())
		m := per(b.N)
		done := make(chan struct{})
		ch, _ := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			count := 0
			r.Main().Events().OnEvent(func(int) {
				count++
				if count == producers*m {
					close(done)
				}
			})
		})
		b.ResetTimer()
		var wg sync.WaitGroup
		for range producers {
			wg.Go(func() {
				for i := range m {
					_ = ch.Send(i)
				}
			})
		}
		<-done
		wg.Wait()
	})
}

// BenchmarkSpawn spawns a reactor and sends it one event (raw: a
// goroutine and a channel); ns/op is per actor, B/op is what an idle actor
// keeps besides a goroutine stack.
func BenchmarkSpawn(b *testing.B) {
	b.Run("impl=raw", func(b *testing.B) {
		b.ReportAllocs()
		var wg sync.WaitGroup
		chans := make([]chan int, 0, b.N)
		for i := 0; i < b.N; i++ {
			ch := make(chan int, 1)
			wg.Add(1)
			go func() {
				<-ch
				wg.Done()
				<-ch
			}()
			ch <- i
			chans = append(chans, ch)
		}
		wg.Wait()
		b.StopTimer()
		for _, ch := range chans {
			close(ch)
		}
	})
	b.Run("impl=reactors", func(b *testing.B) {
		b.ReportAllocs()
		sys := reactor.New()
		defer sys.Shutdown(context.Background())
		var wg sync.WaitGroup
		body := func(r *reactor.Reactor[int]) {
			r.Main().Events().OnEvent(func(int) { wg.Done() })
		}
		wg.Add(b.N)
		for i := 0; i < b.N; i++ {
			ch, _ := reactor.Spawn(sys, body)
			_ = ch.Send(i)
		}
		wg.Wait()
	})
}
