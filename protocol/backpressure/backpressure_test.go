package backpressure_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/protocol/backpressure"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// bpRig is a backpressure link between a fast producer reactor and a slow
// consumer reactor that takes events only when the test tells it to (a
// barrier, not a timer). Credit messages travel through a faulty channel
// with the rig's script, interposed by rewriting the valve's Hello.
// The counters are checked inside the reactors, at every send and at the
// end of every consumer turn.
type bpRig struct {
	t      *testing.T
	window int64
	total  int

	consumer reactor.Channel[int] // take n more events
	acks     chan []int           // the events taken for one request
	credits  chan *reactortest.Faulty[backpressure.Credit]
	faulty   *reactortest.Faulty[backpressure.Credit]
	unstick  func() bool // releases delayed credits; false if there is nothing to release
	full     bool        // the buffer must fill up (credits are not delayed)

	sent, consumed     atomic.Int64
	maxInFlight, maxLn atomic.Int64
	violations         atomic.Int64 // a broken invariant, seen inside a reactor
	refusals           atomic.Int64 // ErrNoCredit with no credit left
	overflows          atomic.Uint64
	errs               chan error
}

func storeMax(m *atomic.Int64, v int64) {
	for old := m.Load(); v > old && !m.CompareAndSwap(old, v); old = m.Load() {
	}
}

// helloRewriter forwards packets to a pump, redirecting the credits of
// the Hello through a faulty channel.
type helloRewriter struct {
	pump  reactor.Channel[backpressure.Packet[int]]
	wrap  func(reactor.Channel[backpressure.Credit]) reactor.Channel[backpressure.Credit]
	hello atomic.Bool
}

func (h *helloRewriter) Send(p backpressure.Packet[int]) error {
	if p.IsHello() && h.hello.CompareAndSwap(false, true) {
		p.Hello = h.wrap(p.Hello)
	}
	return h.pump.Send(p)
}

func (h *helloRewriter) Name() string { return h.pump.Name() }

func newRig(t *testing.T, sys *reactor.System, p backpressure.Policy, total int, script reactortest.Script, opts ...reactortest.Option) *bpRig {
	t.Helper()
	g := &bpRig{
		t: t, window: int64(p.Window()), total: total,
		acks:    make(chan []int, 100),
		credits: make(chan *reactortest.Faulty[backpressure.Credit], 1),
		errs:    make(chan error, 100),
		unstick: func() bool { return false },
	}
	pumps := make(chan reactor.Channel[backpressure.Packet[int]], 1)
	consumer, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		pm, err := backpressure.NewPump[int](r, p)
		if err != nil {
			g.errs <- err
			return
		}
		pumps <- pm.Channel()
		pending := 0
		var got []int
		take := func() {
			for pending > 0 && pm.Len() > 0 {
				g.consumed.Add(1) // before the event's credit can leave
				v, _ := pm.Dequeue()
				got = append(got, v)
				pending--
			}
			if pending == 0 && got != nil {
				g.acks <- got
				got = nil
			}
		}
		r.Main().Events().OnEvent(func(n int) { pending += n; take() })
		pm.Available().Changes().OnEvent(func(ok bool) {
			if ok {
				take()
			}
		})
		r.Lifecycle().OnEvent(func(l reactor.Lifecycle) {
			if l.Phase != reactor.Preempted {
				return
			}
			storeMax(&g.maxLn, int64(pm.Len()))
			if int64(pm.Len()) > g.window || int64(pm.Consumed()) != g.consumed.Load() {
				g.violations.Add(1)
			}
			g.overflows.Store(pm.Overflows())
		})
	})
	require.NoError(t, err)
	g.consumer = consumer
	pump := <-pumps

	rw := &helloRewriter{pump: pump, wrap: func(ch reactor.Channel[backpressure.Credit]) reactor.Channel[backpressure.Credit] {
		f := reactortest.NewFaulty[backpressure.Credit](ch, script, opts...)
		g.credits <- f
		return f.Channel()
	}}
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[struct{}]) {
		v, err := backpressure.NewValve[int](r, reactor.ChannelOf[backpressure.Packet[int]](rw))
		if err != nil {
			g.errs <- err
			return
		}
		next := 0
		produce := func() {
			for next < total {
				err := v.Send(next)
				if errors.Is(err, backpressure.ErrNoCredit) {
					g.refusals.Add(1)
					if v.Credit() != 0 || v.Available().Get() {
						g.violations.Add(1)
					}
					return
				}
				if err != nil {
					g.errs <- err
					return
				}
				next++
				inFlight := g.sent.Add(1) - g.consumed.Load()
				storeMax(&g.maxInFlight, inFlight)
				if inFlight > g.window || v.Available().Get() != (v.Credit() > 0) {
					g.violations.Add(1)
				}
			}
		}
		v.Available().Changes().OnEvent(func(ok bool) {
			if ok {
				produce()
			}
		})
	})
	require.NoError(t, err)
	synctest.Wait()
	g.faulty = <-g.credits
	return g
}

// take asks the consumer for n events and returns them, releasing held
// credits while the link is stuck.
func (g *bpRig) take(n int) []int {
	g.t.Helper()
	require.NoError(g.t, g.consumer.Send(n))
	for {
		synctest.Wait()
		select {
		case got := <-g.acks:
			return got
		default:
		}
		require.True(g.t, g.unstick(), "the link is stuck with no credit on its way")
	}
}

// run consumes every event in steps of 1, 2, 3, ... up to the window,
// checks order and loss, and returns the number of steps.
func (g *bpRig) run() int {
	g.t.Helper()
	var all []int
	steps := 0
	for len(all) < g.total {
		n := min(1+steps%int(g.window), g.total-len(all))
		got := g.take(n)
		require.Len(g.t, got, n)
		all = append(all, got...)
		steps++
	}
	for i, v := range all {
		require.Equal(g.t, i, v, "events lost or out of order")
	}
	synctest.Wait()
	g.faulty.Flush()
	synctest.Wait()
	g.check()
	return steps
}

// check asserts what the reactors saw. With prompt credits the buffer
// must also have been full at the end of some turn, which proves the
// producer was faster than the consumer.
func (g *bpRig) check() {
	g.t.Helper()
	require.Empty(g.t, g.errs)
	require.Zero(g.t, g.violations.Load(), "invariant broken inside a reactor")
	require.Zero(g.t, g.overflows.Load(), "the pump refused events")
	require.Equal(g.t, g.window, g.maxInFlight.Load(), "the producer filled the window")
	require.LessOrEqual(g.t, g.maxLn.Load(), g.window)
	if g.full {
		require.Equal(g.t, g.window, g.maxLn.Load(), "the buffer filled up")
	}
	require.Equal(g.t, int64(g.total), g.sent.Load())
	require.Positive(g.t, g.refusals.Load(), "the fast producer hit the end of its credit")
	require.NoError(g.t, g.faulty.Err())
}

func policies() []backpressure.Policy {
	return []backpressure.Policy{backpressure.Sliding(4), backpressure.Batching(4)}
}

func TestBackpressureBoundsFastProducer(t *testing.T) {
	for _, p := range policies() {
		t.Run(p.String(), func(t *testing.T) {
			reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
				g := newRig(t, sys, p, 60, reactortest.Script{})
				g.full = true
				steps := g.run()
				// One credit message per event under Sliding, one per
				// consuming turn under Batching, plus the Hello's answer.
				want := uint64(1 + 60)
				if p.Batched() {
					want = uint64(1 + steps)
				}
				require.Equal(t, want, g.faulty.Stats().Sent, "credit messages")
			})
		})
	}
}

func TestBackpressureDelayedCredits(t *testing.T) {
	for _, p := range policies() {
		t.Run(p.String(), func(t *testing.T) {
			reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
				// The delays run on the bubble's virtual time: sleeping
				// lets the due credits through.
				g := newRig(t, sys, p, 50, reactortest.Delay(5*time.Millisecond))
				g.unstick = func() bool {
					if g.faulty.Stats().Pending == 0 {
						return false
					}
					time.Sleep(5 * time.Millisecond)
					return true
				}
				require.Zero(t, g.sent.Load(), "no credit before the Hello's answer arrives")
				g.run()
				require.Positive(t, g.faulty.Stats().Delayed)
			})
		})
	}
}

func TestBackpressureReorderedDuplicatedCredits(t *testing.T) {
	for _, p := range policies() {
		t.Run(p.String(), func(t *testing.T) {
			reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
				g := newRig(t, sys, p, 80, reactortest.Chain(
					reactortest.Duplicate(0.5, 1),
					reactortest.Reorder(3, 2),
				))
				g.unstick = func() bool {
					if g.faulty.Stats().Pending == 0 {
						return false
					}
					g.faulty.Flush()
					return true
				}
				g.run()
				st := g.faulty.Stats()
				require.Positive(t, st.Duplicated)
				require.Positive(t, st.Held)
			})
		})
	}
}
