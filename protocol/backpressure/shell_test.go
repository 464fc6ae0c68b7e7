package backpressure_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/protocol/backpressure"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// consumerOf spawns a reactor with a pump of policy p that takes n more
// events from it per event on its main channel, sending each to out.
func consumerOf(t *testing.T, sys *reactor.System, p backpressure.Policy, out chan<- int) (reactor.Channel[int], reactor.Channel[backpressure.Packet[int]]) {
	t.Helper()
	pumps := make(chan reactor.Channel[backpressure.Packet[int]], 1)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		pm, err := backpressure.NewPump[int](r, p)
		require.NoError(t, err)
		pumps <- pm.Channel()
		pending := 0
		take := func() {
			for ; pending > 0; pending-- {
				v, ok := pm.Dequeue()
				if !ok {
					return
				}
				out <- v
			}
		}
		r.Main().Events().OnEvent(func(n int) { pending += n; take() })
		pm.Available().Changes().OnEvent(func(bool) { take() })
	})
	require.NoError(t, err)
	return ch, <-pumps
}

func TestBlockingValveOfferWaitsForCredit(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		out := make(chan int, 100)
		consumer, pump := consumerOf(t, sys, backpressure.Sliding(3), out)
		b, err := backpressure.NewBlockingValve(pump)
		require.NoError(t, err)
		ctx := context.Background()

		offered := make(chan error, 10)
		go func() {
			for i := range 5 {
				offered <- b.Offer(ctx, i)
			}
		}()
		synctest.Wait()
		require.Len(t, offered, 3, "three credits, three events")
		require.Equal(t, uint64(3), b.Sent())
		require.Zero(t, b.Credit())
		require.ErrorIs(t, b.Send(99), backpressure.ErrNoCredit)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		require.ErrorIs(t, b.Offer(cancelled, 99), context.Canceled)
		require.Equal(t, uint64(3), b.Sent(), "a refused event is not sent")

		require.NoError(t, consumer.Send(1))
		synctest.Wait()
		require.Len(t, offered, 4, "one credit back wakes the blocked Offer")
		require.NoError(t, consumer.Send(4))
		synctest.Wait()
		require.Len(t, offered, 5)
		for range 5 {
			require.NoError(t, <-offered)
		}
		require.Equal(t, []int{0, 1, 2, 3, 4}, drainInts(out))
		require.Equal(t, 3, b.Credit(), "the whole window is back")

		// Close wakes a waiting Offer and refuses what follows.
		require.NoError(t, b.Send(5))
		require.NoError(t, b.Send(6))
		require.NoError(t, b.Send(7))
		go func() { offered <- b.Offer(ctx, 8) }()
		synctest.Wait()
		require.Empty(t, offered)
		b.Close()
		require.ErrorIs(t, <-offered, reactor.ErrSealed)
		require.ErrorIs(t, b.Send(9), reactor.ErrSealed)
		require.NoError(t, consumer.Send(3))
		synctest.Wait()
		require.Equal(t, []int{5, 6, 7}, drainInts(out))
	})
}

func TestBlockingValveConcurrentProducers(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		const window, producers, each = 4, 3, 20
		out := make(chan int, producers*each)
		consumer, pump := consumerOf(t, sys, backpressure.Batching(window), out)
		b, err := backpressure.NewBlockingValve(pump)
		require.NoError(t, err)
		var wg sync.WaitGroup
		for p := range producers {
			wg.Go(func() {
				for i := range each {
					require.NoError(t, b.Offer(context.Background(), p*each+i))
				}
			})
		}
		got := 0
		for got < producers*each {
			synctest.Wait()
			require.LessOrEqual(t, b.Sent()-uint64(got), uint64(window), "in flight beyond the window")
			require.NoError(t, consumer.Send(1))
			synctest.Wait()
			got += len(drainInts(out))
		}
		wg.Wait()
		require.Equal(t, uint64(producers*each), b.Sent())
	})
}

func TestPumpEventsStream(t *testing.T) {
	for _, p := range policies() {
		t.Run(p.String(), func(t *testing.T) {
			reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
				out := make(chan int, 100)
				pumps := make(chan reactor.Channel[backpressure.Packet[int]], 1)
				_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
					pm, err := backpressure.NewPump[int](r, p)
					require.NoError(t, err)
					pumps <- pm.Channel()
					pm.Events().OnEvent(func(v int) {
						if pm.Overflows() > 0 {
							out <- -1
						}
						out <- v
					})
				})
				require.NoError(t, err)
				pump := <-pumps
				_, err = reactor.Spawn(sys, func(r *reactor.Reactor[struct{}]) {
					v, err := backpressure.NewValve[int](r, pump)
					require.NoError(t, err)
					v.Available().Changes().OnEvent(func(bool) {
						for v.Sent() < 50 && v.Send(int(v.Sent())) == nil {
						}
					})
				})
				require.NoError(t, err)
				synctest.Wait()
				got := drainInts(out)
				require.Len(t, got, 50)
				for i, v := range got {
					require.Equal(t, i, v)
				}
			})
		})
	}
}

func TestPumpRefusesEventsBeyondCredit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var letters []reactor.DeadLetter
		sys := reactor.New(reactor.WithWorkers(2), reactor.WithLogger(zerolog.Nop()),
			reactor.WithDeadLetterHandler(func(d reactor.DeadLetter) {
				mu.Lock()
				letters = append(letters, d)
				mu.Unlock()
			}))
		defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
		state := make(chan [2]uint64, 1)
		pumps := make(chan reactor.Channel[backpressure.Packet[int]], 1)
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			pm, err := backpressure.NewPump[int](r, backpressure.Sliding(2))
			require.NoError(t, err)
			pumps <- pm.Channel()
			r.Main().Events().OnEvent(func(int) { state <- [2]uint64{uint64(pm.Len()), pm.Overflows()} })
		})
		require.NoError(t, err)
		pump := <-pumps
		for i := range 5 { // a rogue sender without a valve
			require.NoError(t, pump.Send(backpressure.Packet[int]{Value: i}))
		}
		synctest.Wait()
		require.NoError(t, ch.Send(0))
		synctest.Wait()
		require.Equal(t, [2]uint64{2, 3}, <-state)
		mu.Lock()
		defer mu.Unlock()
		require.Len(t, letters, 3)
		for i, d := range letters {
			require.Equal(t, reactor.ReasonOverflow, d.Reason)
			require.Equal(t, 2+i, d.Event)
		}
	})
}

func TestValveRefusesWithoutCreditAndAfterClose(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		out := make(chan int, 10)
		_, pump := consumerOf(t, sys, backpressure.Sliding(1), out)
		errs := make(chan error, 10)
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			v, err := backpressure.NewValve[int](r, pump)
			require.NoError(t, err)
			errs <- v.Send(0) // before the Hello is answered
			r.Main().Events().OnEvent(func(int) {
				errs <- v.Send(1)
				errs <- v.Send(2)
				v.Close()
				errs <- v.Send(3)
			})
		})
		require.NoError(t, err)
		synctest.Wait()
		require.NoError(t, ch.Send(0))
		synctest.Wait()
		require.ErrorIs(t, <-errs, backpressure.ErrNoCredit)
		require.NoError(t, <-errs)
		require.ErrorIs(t, <-errs, backpressure.ErrNoCredit)
		require.ErrorIs(t, <-errs, reactor.ErrSealed)
	})
}

func drainInts(ch chan int) []int {
	var vs []int
	for {
		select {
		case v := <-ch:
			vs = append(vs, v)
		default:
			return vs
		}
	}
}

// TestBlockingValveOfferInsideReactorFailsAtOnce checks that an Offer
// that would wait for credit returns reactor.ErrInsideReactor when a
// handler makes it, while one that finds credit sends as usual.
func TestBlockingValveOfferInsideReactorFailsAtOnce(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		out := make(chan int, 100)
		_, pump := consumerOf(t, sys, backpressure.Sliding(1), out)
		b, err := backpressure.NewBlockingValve(pump)
		require.NoError(t, err)
		synctest.Wait()
		errs := make(chan error, 2)
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			r.Main().Events().OnEvent(func(v int) { errs <- b.Offer(context.Background(), v) })
		})
		require.NoError(t, err)
		require.NoError(t, ch.Send(1)) // the one credit
		require.NoError(t, ch.Send(2)) // no credit: would wait
		synctest.Wait()
		require.NoError(t, <-errs)
		require.ErrorIs(t, <-errs, reactor.ErrInsideReactor)
		require.Equal(t, uint64(1), b.Sent())
	})
}
