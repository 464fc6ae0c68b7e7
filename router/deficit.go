package router

import (
	"math"
	"sync"
)

// maxDeficitCost bounds quantum and every cost so that no deficit counter
// can overflow: counters stay within [0, largest cost + quantum].
const maxDeficitCost = math.MaxInt >> 2

// DeficitRoundRobin returns a policy that balances the total cost given
// to each member, with Reactors.IO's deficit round-robin
// (Router.deficitRoundRobin): every member has a deficit counter, all 0
// when a member set is first seen, and the current index starts at the
// last member. For an event of cost c = cost(v):
//
//	while deficit[i] <= c: i = (i+1) mod n; deficit[i] += quantum
//	deficit[i] -= c; pick i
//
// The comparison is <=, as in Reactors.IO (a member keeps the turn only
// while its deficit is strictly greater than the cost). Over a long run
// each member gets about the same total cost, whatever the mix of costs:
// at any moment the totals given to two members differ by at most
// 2·quantum plus the largest cost (the tests measure at most quantum plus
// the largest cost). Quantum and costs should be of the same order of
// magnitude; with all costs 0 every event goes to one member, exactly as
// in Reactors.IO.
//
// quantum must be in [1, math.MaxInt/4] or DeficitRoundRobin panics; a
// cost below 0 counts as 0 and a cost above math.MaxInt/4 counts as
// math.MaxInt/4 (Reactors.IO does not guard either). cost is called once
// per pick, before the policy's lock is taken, and must be safe for
// concurrent use.
//
// The state depends on the member set: the counters belong to one
// *Members, and a pick with a different *Members resets them (every
// membership change starts a fresh round, as a new Reactors.IO policy
// would). Give each router its own policy value: one shared by routers
// with different member sets would reset at every alternation.
//
// DRR is serial: picks take a sync.Mutex, so concurrent senders queue on
// it (a pick takes about 10ns uncontended). A pick advances at most 2n
// times however large the cost is next to the quantum (whole rounds in
// which nobody can reach the cost are added in one step), so it costs
// O(n) in the worst case and O(1) when costs are near the quantum. It
// allocates nothing, except that the first pick with a new *Members
// allocates the n counters unless the previous ones fit.
func DeficitRoundRobin[T any](quantum int, cost func(T) int) Policy[T] {
	if quantum < 1 || quantum > maxDeficitCost {
		panic("router: DeficitRoundRobin: quantum out of range")
	}
	if cost == nil {
		panic("router: DeficitRoundRobin: nil cost function")
	}
	return &deficitRoundRobin[T]{quantum: quantum, cost: cost}
}

type deficitRoundRobin[T any] struct {
	quantum int
	cost    func(T) int

	mu       sync.Mutex
	m        *Members // guarded by mu: the set the counters belong to
	deficits []int    // guarded by mu: one counter per member of m
	i        int      // guarded by mu: the current member
}

func (p *deficitRoundRobin[T]) Pick(v T, m *Members) int {
	n := m.Len()
	if n == 0 {
		return None
	}
	c := min(max(p.cost(v), 0), maxDeficitCost)

	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m != m {
		p.resetLocked(m, n)
	}
	d, q, i := p.deficits, p.quantum, p.i
	// Reactors.IO's loop. Counters are at most largest cost + quantum, so
	// adding a quantum cannot overflow.
	for steps := 0; d[i] <= c; {
		i++
		if i == n {
			i = 0
		}
		d[i] += q
		if steps++; steps == n && d[i] <= c {
			// A whole round found nobody. Add at once the further whole
			// rounds in which nobody can exceed c either: the largest
			// counter top stays <= c for r more rounds. The loop then
			// ends within one more round, at the same member with the
			// same counters as the one-step-at-a-time loop.
			top := d[0]
			for _, x := range d[1:] {
				top = max(top, x)
			}
			if r := (c - top) / q; r > 0 {
				for j := range d {
					d[j] += r * q
				}
			}
		}
	}
	d[i] -= c
	p.i = i
	return i
}

// resetLocked gives m fresh counters. p.mu must be held.
func (p *deficitRoundRobin[T]) resetLocked(m *Members, n int) {
	if cap(p.deficits) >= n {
		p.deficits = p.deficits[:n]
		clear(p.deficits)
	} else {
		p.deficits = make([]int, n)
	}
	p.m = m
	p.i = n - 1
}
