package router_test

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/router"
)

// literalDRR is Reactors.IO's Router.deficitRoundRobin transcribed line
// by line (router-protocols.scala):
//
//	val deficits = new Array[Int](targets.length)
//	var i = targets.length - 1
//	... while (!found) {
//	      if (deficits(i) > c) found = true
//	      else { i = (i + 1) % targets.length; deficits(i) += quantum }
//	    }
//	    deficits(i) -= c
type literalDRR struct {
	quantum  int
	deficits []int
	i        int
}

func newLiteralDRR(n, quantum int) *literalDRR {
	return &literalDRR{quantum: quantum, deficits: make([]int, n), i: n - 1}
}

func (l *literalDRR) pick(c int) int {
	for found := false; !found; {
		if l.deficits[l.i] > c {
			found = true
		} else {
			l.i = (l.i + 1) % len(l.deficits)
			l.deficits[l.i] += l.quantum
		}
	}
	l.deficits[l.i] -= c
	return l.i
}

func TestDeficitRoundRobinMatchesReactorsIO(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name    string
		n       int
		quantum int
		cost    func() int
	}{
		{"costs near quantum", 5, 8, func() int { return 1 + rng.IntN(8) }},
		{"cost equal to quantum", 3, 4, func() int { return 4 }},
		{"cost zero", 4, 3, func() int { return 0 }},
		{"one member", 1, 5, func() int { return rng.IntN(20) }},
		// Costs far above the quantum take the whole-round shortcut.
		{"costs far above quantum", 6, 3, func() int { return rng.IntN(1000) }},
		{"mixed small and huge", 7, 10, func() int {
			if rng.IntN(10) == 0 {
				return 100_000 + rng.IntN(100_000)
			}
			return rng.IntN(20)
		}},
		{"large n", 64, 2, func() int { return rng.IntN(500) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c int
			p := router.DeficitRoundRobin(tc.quantum, func(int) int { return c })
			want := newLiteralDRR(tc.n, tc.quantum)
			m := polMembers(tc.n)
			for e := range 20_000 {
				c = tc.cost()
				require.Equal(t, want.pick(c), p.Pick(e, m), "event %d, cost %d", e, c)
			}
		})
	}
}

func TestDeficitRoundRobinWorkedExample(t *testing.T) {
	// Two members, quantum 8, cost 1. Member 1 starts as the current one
	// with deficit 0 <= 1, so the turn passes to member 0 (deficit 8),
	// which keeps it while its deficit exceeds 1: 7 events. Then member 1
	// gets 8, keeps 7; member 0 now has 1+8 = 9 and keeps 8.
	p := router.DeficitRoundRobin(8, func(int) int { return 1 })
	want := slices.Concat(slices.Repeat([]int{0}, 7), slices.Repeat([]int{1}, 7), slices.Repeat([]int{0}, 8))
	require.Equal(t, want, polPicks(p, polMembers(2), len(want)))
}

func TestDeficitRoundRobinBalancesTotalCost(t *testing.T) {
	const quantum, maxCost = 8, 8
	cost := func(e int) int { return e%8 + 1 }
	for _, n := range []int{2, 3, 5, 8, 13} {
		p := router.DeficitRoundRobin(quantum, cost)
		m := polMembers(n)
		totals := make([]int, n)
		worst := 0
		for e := range 100_000 {
			totals[p.Pick(e, m)] += cost(e)
			worst = max(worst, slices.Max(totals)-slices.Min(totals))
		}
		t.Logf("n=%d: totals %v, largest spread at any point %d", n, totals, worst)
		// The bound holds after every event, not only at the end.
		require.LessOrEqual(t, worst, quantum+maxCost, "n=%d totals %v", n, totals)
	}
}

func TestDeficitRoundRobinZeroCostsStayOnOneMember(t *testing.T) {
	// Reactors.IO's behaviour, kept: with nothing to pay, the first member
	// to get a quantum keeps the turn.
	p := router.DeficitRoundRobin(5, func(int) int { return 0 })
	require.Equal(t, slices.Repeat([]int{0}, 10), polPicks(p, polMembers(3), 10))
}

func TestDeficitRoundRobinNegativeCostCountsAsZero(t *testing.T) {
	neg := router.DeficitRoundRobin(5, func(int) int { return -3 })
	zero := router.DeficitRoundRobin(5, func(int) int { return 0 })
	m := polMembers(3)
	require.Equal(t, polPicks(zero, m, 20), polPicks(neg, m, 20))
}

func TestDeficitRoundRobinHugeCostIsQuick(t *testing.T) {
	// One-step-at-a-time, this event would take about 10^18 steps.
	p := router.DeficitRoundRobin(1, func(c int) int { return c })
	m := polMembers(4)
	require.Equal(t, 0, p.Pick(1<<60, m))
	require.Equal(t, 1, p.Pick(1<<60, m))
	require.Equal(t, 2, p.Pick(1<<62, m), "above math.MaxInt/4 counts as math.MaxInt/4")
}

func TestDeficitRoundRobinRestartsOnNewMembers(t *testing.T) {
	cost := func(e int) int { return e%5 + 1 }
	p := router.DeficitRoundRobin(4, cost)
	a, b := polMembers(3), polMembers(3) // equal keys, distinct sets
	for e := range 7 {
		p.Pick(e, a)
	}
	fresh := router.DeficitRoundRobin(4, cost)
	for e := range 50 {
		require.Equal(t, fresh.Pick(e, b), p.Pick(e, b), "event %d", e)
	}
}

func TestDeficitRoundRobinBadArgumentsPanic(t *testing.T) {
	cost := func(int) int { return 1 }
	require.PanicsWithValue(t, "router: DeficitRoundRobin: quantum out of range", func() { router.DeficitRoundRobin(0, cost) })
	require.PanicsWithValue(t, "router: DeficitRoundRobin: quantum out of range", func() { router.DeficitRoundRobin(-1, cost) })
	require.PanicsWithValue(t, "router: DeficitRoundRobin: nil cost function", func() { router.DeficitRoundRobin[int](1, nil) })
}

func TestDeficitRoundRobinPackedAndLockedAgree(t *testing.T) {
	// Up to 8 members the counters live in one word while every cost plus
	// the quantum fits its counter width (2^(60/n)); the first cost that
	// does not fit moves them under the lock for good. Both must follow
	// the literal loop, through the move too.
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		name    string
		n       int
		quantum int
		cost    func(e int) int
	}{
		{"4 members, widest costs that fit", 4, 1000, func(int) int { return 1<<15 - 1001 - rng.IntN(3) }},
		{"4 members, cost one past the width late", 4, 8, func(e int) int {
			if e == 5_000 {
				return 1<<15 - 8 // with the quantum: 2^15
			}
			return 1 + rng.IntN(8)
		}},
		{"8 members, costs across the width", 8, 3, func(int) int { return rng.IntN(300) }},
		{"2 members, whole-round shortcut packed", 2, 2, func(int) int { return rng.IntN(2000) }},
		{"9 members, never packed", 9, 8, func(int) int { return 1 + rng.IntN(8) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c int
			p := router.DeficitRoundRobin(tc.quantum, func(int) int { return c })
			want := newLiteralDRR(tc.n, tc.quantum)
			m := polMembers(tc.n)
			for e := range 20_000 {
				c = tc.cost(e)
				require.Equal(t, want.pick(c), p.Pick(e, m), "event %d, cost %d", e, c)
			}
		})
	}
}

func TestDeficitRoundRobinConcurrentPicksStayBalanced(t *testing.T) {
	// Concurrent picks happen in some serial order (each one replaces the
	// whole state at once), so the totals obey the documented bound of
	// any serial run: 2·quantum + the largest cost apart. A lost or
	// duplicated update would skew them past it over this many events.
	const quantum, maxCost, goroutines, picks = 8, 8, 4, 20_000
	cost := func(e int) int { return e%maxCost + 1 }
	for _, n := range []int{3, 4, 8, 9} {
		p := router.DeficitRoundRobin(quantum, cost)
		m := polMembers(n)
		totals := make([][]int, goroutines)
		var wg sync.WaitGroup
		for g := range goroutines {
			totals[g] = make([]int, n)
			wg.Go(func() {
				for e := range picks {
					totals[g][p.Pick(e, m)] += cost(e)
				}
			})
		}
		wg.Wait()
		sum := make([]int, n)
		for _, tg := range totals {
			for i, x := range tg {
				sum[i] += x
			}
		}
		require.LessOrEqual(t, slices.Max(sum)-slices.Min(sum), 2*quantum+maxCost, "n=%d totals %v", n, sum)
	}
}
