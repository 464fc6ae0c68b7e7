package router_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/router"
)

// recorder is a target that records the events it gets, in order.
type recorder struct {
	mu  sync.Mutex
	got []int
	ch  reactor.Channel[int] // the channel added to the router
}

func (r *recorder) Send(v int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, v)
	return nil
}

func (r *recorder) Name() string { return "recorder" }

func (r *recorder) events() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// recorders adds n recorders to rt and returns them.
func recorders(t *testing.T, rt *router.Router[int], n int) []*recorder {
	t.Helper()
	rs := make([]*recorder, n)
	for i := range rs {
		rs[i] = new(recorder)
		rs[i].ch = reactor.ChannelOf[int](rs[i])
		require.NoError(t, rt.Add(rs[i].ch))
	}
	return rs
}

func TestProducerRoundRobinIsExactlyFairPerProducer(t *testing.T) {
	const n, k, producers = 5, 200, 3
	rt := router.New(newSys(t), "rr", router.RoundRobin[int]())
	rs := recorders(t, rt, n)
	require.NoError(t, rt.Send(-1)) // the shared counter moves: producers start elsewhere
	var wg sync.WaitGroup
	for g := range producers {
		p := rt.Producer()
		wg.Go(func() {
			for i := range k * n {
				require.NoError(t, p.Send(g*k*n+i))
			}
		})
	}
	wg.Wait()
	for g := range producers {
		starts := map[int]bool{}
		for m, r := range rs {
			var mine []int
			for _, v := range r.events() {
				if v >= g*k*n && v < (g+1)*k*n {
					mine = append(mine, v-g*k*n)
				}
			}
			require.Len(t, mine, k, "producer %d, member %d", g, m)
			// The producer cycles: member m gets every n-th of its sends.
			for j := 1; j < len(mine); j++ {
				require.Equal(t, mine[j-1]+n, mine[j], "producer %d, member %d", g, m)
			}
			if mine[0] == 0 {
				starts[m] = true
			}
		}
		require.Len(t, starts, 1, "producer %d starts at one member", g)
		require.False(t, starts[0] && g > 0, "producer %d should not start where the first did", g)
	}
}

func TestProducersStartAtDifferentMembers(t *testing.T) {
	rt := router.New(newSys(t), "rr", router.RoundRobin[int]())
	rs := recorders(t, rt, 3)
	for i := range 3 {
		require.NoError(t, rt.Producer().Send(i))
	}
	for m, r := range rs {
		require.Equal(t, []int{m}, r.events(), "member %d", m)
	}
}

func TestProducerDeficitRoundRobinKeepsItsBound(t *testing.T) {
	const quantum, maxCost, n = 8, 8, 4
	cost := func(v int) int { return v%maxCost + 1 }
	rt := router.New(newSys(t), "drr", router.DeficitRoundRobin(quantum, cost))
	rs := recorders(t, rt, n)
	p := rt.Producer()
	worst := 0
	totals := make([]int, n)
	for v := range 20_000 {
		require.NoError(t, p.Send(v))
		for m, r := range rs {
			if got := r.events(); len(got) > 0 && got[len(got)-1] == v {
				totals[m] += cost(v)
			}
		}
		worst = max(worst, slices.Max(totals)-slices.Min(totals))
	}
	require.LessOrEqual(t, worst, quantum+maxCost, "totals %v", totals)
	// The same sends through the shared policy pick the same members:
	// a producer runs Reactors.IO's algorithm on its own counters.
	shared := router.DeficitRoundRobin(quantum, cost)
	m := polMembers(n)
	for v := range 200 {
		want := shared.Pick(v, m)
		require.Contains(t, rs[want].events(), v, "event %d", v)
	}
}

func TestProducerFollowsMembershipChanges(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    router.Policy[int]
	}{
		{"RoundRobin", router.RoundRobin[int]()},
		{"DeficitRoundRobin", router.DeficitRoundRobin(2, func(int) int { return 1 })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := router.New(newSys(t), "m", tc.p)
			rs := recorders(t, rt, 2)
			p := rt.Producer()
			for v := range 4 {
				require.NoError(t, p.Send(v))
			}
			rt.Remove(rs[0].ch)
			for v := 4; v < 8; v++ {
				require.NoError(t, p.Send(v))
			}
			added := new(recorder)
			require.NoError(t, rt.Add(reactor.ChannelOf[int](added)))
			for v := 8; v < 20; v++ {
				require.NoError(t, p.Send(v))
			}
			for _, v := range rs[0].events() {
				require.Less(t, v, 4, "sent to a removed member")
			}
			// While it was the only member, the other got every event.
			got := rs[1].events()
			at := slices.Index(got, 4)
			require.GreaterOrEqual(t, at, 0)
			require.Equal(t, []int{4, 5, 6, 7}, got[at:at+4])
			require.NotEmpty(t, added.events(), "the added member gets events")
			require.Len(t, append(rs[0].events(), append(rs[1].events(), added.events()...)...), 20)
		})
	}
}

func TestProducerWithoutRouteDeadLetters(t *testing.T) {
	sys, dead := deadSys(t)
	for _, p := range []router.Policy[int]{router.RoundRobin[int](), router.DeficitRoundRobin(1, func(int) int { return 1 }), router.Broadcast[int]()} {
		rt := router.New(sys, "empty", p)
		err := rt.Producer().Send(7)
		require.ErrorIs(t, err, router.ErrNoRoute)
		d := <-dead
		require.Equal(t, reactor.ReasonNoRoute, d.Reason)
		require.Equal(t, 7, d.Event)

		recorders(t, rt, 1)
		pr := rt.Producer()
		rt.Close()
		require.ErrorIs(t, pr.Send(8), reactor.ErrTerminated)
		require.Equal(t, reactor.ReasonStopped, (<-dead).Reason)
	}
}

func TestProducerSharesStatelessPolicies(t *testing.T) {
	// Hash, random, broadcast and custom policies are the router's own:
	// a producer's sends go where the router's would.
	rt := router.New(newSys(t), "h", router.Hash(func(v int) uint64 { return uint64(v) }))
	rs := recorders(t, rt, 3)
	p := rt.Producer()
	for v := range 30 {
		require.NoError(t, p.Send(v))
		require.NoError(t, rt.Send(v))
	}
	for m, r := range rs {
		got := r.events()
		for j := 0; j < len(got); j += 2 {
			require.Equal(t, got[j], got[j+1], "member %d: the producer and the router split %v", m, got)
		}
	}
	bc := router.New(newSys(t), "bc", router.Broadcast[int]())
	brs := recorders(t, bc, 3)
	require.NoError(t, bc.Producer().Send(5))
	for _, r := range brs {
		require.Equal(t, []int{5}, r.events())
	}
}

// TestProducerStopsPickingTerminatedTargets: once a target's reactor has
// terminated, a producer made before (whose deficit round-robin state
// was built on the old set) routes nothing more to it; every send
// succeeds and reaches a live target, on pool and dedicated reactors.
func TestProducerStopsPickingTerminatedTargets(t *testing.T) {
	for _, sched := range []reactor.Scheduler{reactor.SharedPool, reactor.Dedicated} {
		for name, policy := range map[string]func() router.Policy[int]{
			"round-robin": router.RoundRobin[int],
			"deficit":     func() router.Policy[int] { return router.DeficitRoundRobin(2, func(v int) int { return v%3 + 1 }) },
		} {
			t.Run(fmt.Sprintf("%s/%d", name, sched), func(t *testing.T) {
				sys := newSys(t)
				rt := router.New(sys, "workers", policy())
				got := make(chan [2]int, 4000)
				var workers []reactor.Channel[int]
				for w := range 4 {
					ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
						r.Main().Events().OnEvent(func(v int) { got <- [2]int{w, v} })
					}, reactor.WithScheduler(sched))
					require.NoError(t, err)
					workers = append(workers, ch)
				}
				require.NoError(t, rt.Add(workers...))
				p := rt.Producer()
				for v := range 8 {
					require.NoError(t, p.Send(v))
				}
				require.NoError(t, workers[2].Stop())
				<-workers[2].Done()
				require.Len(t, rt.Targets(), 3)
				for v := 8; v < 2008; v++ {
					require.NoError(t, p.Send(v), "send %d", v)
				}
				// Events sent before the stop may have gone anywhere (or
				// been dead-lettered by the stop); every later one reaches
				// a live worker.
				for later := 0; later < 2000; {
					e := reactortest.Receive(t, got)
					if e[1] >= 8 {
						require.NotEqual(t, 2, e[0], "event %d routed to the terminated target", e[1])
						later++
					}
				}
			})
		}
	}
}
