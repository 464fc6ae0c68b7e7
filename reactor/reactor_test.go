package reactor_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

func TestSpawnDeliversInOrder(t *testing.T) {
	sys, _ := newSys(t)
	got := make(chan []int, 1)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		var seen []int
		r.Main().Events().OnEvent(func(v int) {
			if v < 0 {
				got <- seen
				r.Main().Seal()
				return
			}
			seen = append(seen, v)
		})
	})
	require.NoError(t, err)
	// Sent before the constructor has run: queued, then delivered in order
	// (the channel is published before the body runs).
	for i := range 1000 {
		require.NoError(t, ch.Send(i))
	}
	require.NoError(t, ch.Send(-1))
	seen := reactortest.Receive(t, got)
	require.Len(t, seen, 1000)
	for i, v := range seen {
		require.Equal(t, i, v)
	}
	reactortest.WaitClosed(t, ch.Done())
	require.NoError(t, ch.Err())
}

// TestSerialProcessing sends from many goroutines to one reactor whose
// handler mutates unsynchronized state; the race detector checks that no
// two handler calls overlap, and the count checks that none is lost.
func TestSerialProcessing(t *testing.T) {
	sys, _ := newSys(t)
	const senders, each = 8, 5000
	total := make(chan int, 1)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		count := 0
		last := map[int]int{}
		r.Main().Events().OnEvent(func(v int) {
			s, i := v/each, v%each
			if prev, ok := last[s]; ok && i != prev+1 {
				panic("per-sender FIFO violated")
			}
			last[s] = i
			count++
			if count == senders*each {
				total <- count
			}
		})
	})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				if err := ch.Send(s*each + i); err != nil {
					panic(err)
				}
			}
		})
	}
	wg.Wait()
	require.Equal(t, senders*each, reactortest.Receive(t, total))
}

func TestSendToSelfAndSpawnFromInside(t *testing.T) {
	sys, _ := newSys(t)
	result := make(chan int, 1)
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		self := r.Main().Channel()
		r.Main().Events().OnEvent(func(v int) {
			if v < 10 {
				require.NoError(t, self.Send(v+1)) // to yourself: queued, handled in a later event
				return
			}
			// Spawn a child from inside; it answers through our channel's
			// sibling: a plain Go channel for the test.
			child, err := reactor.Spawn(r.System(), func(c *reactor.Reactor[int]) {
				c.Main().Events().OnEvent(func(x int) {
					result <- x * 2
					c.Main().Seal()
				})
			})
			require.NoError(t, err)
			require.NoError(t, child.Send(v))
			r.Main().Seal()
		})
		require.NoError(t, self.Send(0)) // from the constructor
	})
	require.NoError(t, err)
	require.Equal(t, 20, reactortest.Receive(t, result))
}

func TestChannelValueSemantics(t *testing.T) {
	sys, _ := newSys(t)
	a, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {})
	require.NoError(t, err)
	b, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {})
	require.NoError(t, err)
	a2 := a
	require.True(t, a == a2, "copies of a channel are equal")
	require.True(t, a != b, "channels of different reactors differ")
	m := map[reactor.Channel[int]]string{a: "a", b: "b"}
	require.Equal(t, "a", m[a2])

	var zero reactor.Channel[int]
	require.ErrorIs(t, zero.Send(1), reactor.ErrNilChannel)
	require.Equal(t, "", zero.Name())
	reactortest.WaitClosed(t, zero.Done()) // nothing runs behind it
}

func TestRunOnCallerGoroutine(t *testing.T) {
	sys, _ := newSys(t)
	sum := 0
	err := reactor.Run(sys, func(r *reactor.Reactor[int]) {
		self := r.Main().Channel()
		r.Main().Events().OnEvent(func(v int) {
			sum += v
			if v == 100 {
				r.Main().Seal()
			}
		})
		go func() { // an outside sender
			for i := 1; i <= 100; i++ {
				_ = self.Send(i)
			}
		}()
	})
	require.NoError(t, err)
	require.Equal(t, 5050, sum) // Run returned: the reactor's writes happened before
}

func TestRunReturnsFailure(t *testing.T) {
	sys, rec := newSys(t)
	err := reactor.Run(sys, func(r *reactor.Reactor[int]) { panic("boom") })
	var pe *reactor.PanicError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "boom", pe.Value)
	require.True(t, reactortest.Receive(t, rec.failed).Final)
}

func TestDedicatedScheduler(t *testing.T) {
	sys, _ := newSys(t)
	got := make(chan int, 1)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		n := 0
		r.Main().Events().OnEvent(func(v int) {
			n += v
			if v == 0 {
				got <- n
				r.Main().Seal()
			}
		})
	}, reactor.WithScheduler(reactor.Dedicated))
	require.NoError(t, err)
	for i := 1; i <= 200; i++ {
		require.NoError(t, ch.Send(i))
	}
	require.NoError(t, ch.Send(0))
	require.Equal(t, 200*201/2, reactortest.Receive(t, got))
	reactortest.WaitClosed(t, ch.Done())
}

// TestWokenReactorRunsWhileWakerHandlerBlocks has a handler wake another
// reactor and then keep its worker: blocked on a channel here, a long
// computation in real use (handlers must not block). The woken reactor
// runs on the other worker meanwhile instead of waiting for the handler.
func TestWokenReactorRunsWhileWakerHandlerBlocks(t *testing.T) {
	sys, _ := newSys(t, reactor.WithWorkers(2))
	handled := make(chan int, 2)
	b, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) { handled <- v })
	})
	require.NoError(t, err)
	// B has run its constructor and handled an event: it is idle, so the
	// handler's Send below schedules it on the sending worker.
	require.NoError(t, b.Send(1))
	require.Equal(t, 1, reactortest.Receive(t, handled))
	release := make(chan struct{})
	defer close(release)
	a, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) {
			_ = b.Send(v)
			<-release
		})
	})
	require.NoError(t, err)
	require.NoError(t, a.Send(2))
	require.Equal(t, 2, reactortest.Receive(t, handled), "B did not run while A's handler held its worker")
}

func TestSpawnErrors(t *testing.T) {
	sys, _ := newSys(t)
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {}, reactor.WithName("x"))
	require.NoError(t, err)
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {}, reactor.WithName("x"))
	require.ErrorIs(t, err, reactor.ErrDuplicateName)
	for _, bad := range []string{"", "a#b", "a b", "tab\t"} {
		_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {}, reactor.WithName(bad))
		require.ErrorIs(t, err, reactor.ErrInvalidName, "name %q", bad)
	}
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {}, reactor.WithMain(reactor.Named("a#b")))
	require.ErrorIs(t, err, reactor.ErrInvalidName)
	require.Panics(t, func() { _, _ = reactor.Spawn[int](sys, nil) })
	require.False(t, errors.Is(err, reactor.ErrClosed))
}

func TestNameIsReleasedAtTermination(t *testing.T) {
	sys, _ := newSys(t)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) { r.Main().Seal() }, reactor.WithName("once"))
	require.NoError(t, err)
	reactortest.WaitClosed(t, ch.Done())
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {}, reactor.WithName("once"))
	require.NoError(t, err)
}
