package reactor_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// TestSendAndRunRunsOnCaller: a plain goroutine that sends to an idle
// reactor runs its turn itself, so the handler's output is there when
// SendAndRun returns. The turn ends before SendAndRun returns, so after
// the first call (which may meet the constructor's turn) every call finds
// the reactor idle. (The bound leaves room for a few calls that meet a
// turn still running elsewhere, as seen under the race detector.)
func TestSendAndRunRunsOnCaller(t *testing.T) {
	sys, rec := newSys(t)
	out := make(chan int, 1)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		extra, err := reactor.Open[int](r) // owner-only calls work in a caller's turn
		if err != nil {
			panic(err)
		}
		extra.Events().OnEvent(func(int) {})
		r.Main().Events().OnEvent(func(v int) {
			extra.Events().OnEvent(func(int) {}).Unsubscribe() // owner-checked
			out <- 2 * v
		})
	})
	require.NoError(t, err)
	synchronous := answeredOnReturn(t, 100, out, func(v int) error { return ch.SendAndRun(context.Background(), v) })
	require.GreaterOrEqual(t, synchronous, 90)
	require.Empty(t, rec.failed)
}

// answeredOnReturn sends 0..n-1 with send to a reactor that answers each
// v with 2v on out, and counts the sends whose answer was there when
// send returned; it waits for the others.
func answeredOnReturn(t *testing.T, n int, out <-chan int, send func(int) error) int {
	t.Helper()
	there := 0
	for i := range n {
		require.NoError(t, send(i))
		select {
		case v := <-out:
			require.Equal(t, 2*i, v)
			there++
		default:
			require.Equal(t, 2*i, reactortest.Receive(t, out))
		}
	}
	return there
}

// TestSendFromReactorIsOffer: inside a reactor SendAndRun and
// SendAndYield are Offer: they neither nest the target's turn in the
// caller's nor yield.
func TestSendFromReactorIsOffer(t *testing.T) {
	for name, send := range map[string]func(reactor.Channel[int], int) error{
		"SendAndRun":   func(ch reactor.Channel[int], v int) error { return ch.SendAndRun(context.Background(), v) },
		"SendAndYield": func(ch reactor.Channel[int], v int) error { return ch.SendAndYield(context.Background(), v) },
	} {
		t.Run(name, func(t *testing.T) {
			sys, rec := newSys(t)
			got := make(chan int, 1)
			target, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
				r.Main().Events().OnEvent(func(v int) { got <- v })
			})
			require.NoError(t, err)
			_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
				if err := send(target, 7); err != nil {
					panic(err)
				}
				select {
				case <-got:
					panic("the target's turn ran inside the sender's")
				default:
				}
			})
			require.NoError(t, err)
			require.Equal(t, 7, reactortest.Receive(t, got))
			require.Empty(t, rec.failed)
		})
	}
}

// TestSendAndRunPanic: a handler that panics in a caller's turn fails its
// reactor as usual; the caller is unharmed.
func TestSendAndRunPanic(t *testing.T) {
	sys, rec := newSys(t)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) { panic("boom") })
	})
	require.NoError(t, err)
	require.NoError(t, ch.SendAndRun(context.Background(), 1))
	f := reactortest.Receive(t, rec.failed)
	require.ErrorContains(t, f.Err, "boom")
	reactortest.WaitClosed(t, ch.Done())
	require.ErrorIs(t, ch.SendAndRun(context.Background(), 2), reactor.ErrTerminated)
}

// TestSendAndRunConcurrent: many goroutines, more than there are guest
// slots, send to one reactor at once; processing stays serial (the race
// detector watches the unguarded counter) and nothing is lost.
func TestSendAndRunConcurrent(t *testing.T) {
	sys, rec := newSys(t)
	const senders, each = 40, 500
	done := make(chan int, 1)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		n := 0 // reactor state: no lock
		r.Main().Events().OnEvent(func(int) {
			n++
			if n == senders*each {
				done <- n
			}
		})
	})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for i := range each {
				if err := ch.SendAndRun(context.Background(), i); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	require.Equal(t, senders*each, reactortest.Receive(t, done))
	require.Empty(t, rec.failed)
}

// TestSendAndRunDuringShutdown: callers running turns while the system
// shuts down neither hang nor leak (the test's cleanup shuts down; goleak
// checks the rest).
func TestSendAndRunDuringShutdown(t *testing.T) {
	sys, _ := newSys(t)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) {})
	})
	require.NoError(t, err)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			<-start
			for i := range 2000 {
				if ch.SendAndRun(context.Background(), i) != nil {
					return // terminated by the shutdown
				}
			}
		})
	}
	close(start)
	require.NoError(t, sys.Shutdown(context.Background()))
	wg.Wait()
}
