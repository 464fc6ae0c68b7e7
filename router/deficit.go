package router

import (
	"math"
	"sync"
	"sync/atomic"
)

// maxDeficitCost bounds quantum and every cost so that no deficit counter
// can overflow: counters stay within [0, largest cost + quantum].
const maxDeficitCost = math.MaxInt >> 2

// DeficitRoundRobin returns a policy that gives each member about the
// same total cost, whatever the mix of costs: at any moment the totals
// of two members differ by at most 2·quantum plus the largest cost.
// Quantum and costs should be of the same order (with every cost 0, all
// events go to one member). It is Reactors.IO's deficit round-robin; the
// algorithm is in docs/design.md (Routing).
//
// quantum must be in [1, [math.MaxInt]/4] and cost non-nil, or it panics;
// costs are clamped to [0, math.MaxInt/4]. cost is called once per pick
// and must be safe for concurrent use. A membership change starts a
// fresh round, so give each router its own policy value.
//
// A pick is one compare-and-swap for up to 8 members with small costs,
// otherwise it takes a mutex (about 10 ns uncontended); it costs O(n) at
// worst and allocates nothing, except once per new member set.
func DeficitRoundRobin[T any](quantum int, cost func(T) int) Policy[T] {
	if quantum < 1 || quantum > maxDeficitCost {
		panic("router: DeficitRoundRobin: quantum out of range")
	}
	if cost == nil {
		panic("router: DeficitRoundRobin: nil cost function")
	}
	return &deficitRoundRobin[T]{quantum: quantum, cost: cost}
}

// deficitRoundRobin keeps a deficit counter per member, all 0 when a
// member set is first seen, and the current index starts at the last
// member. For an event of cost c = cost(v):
//
//	while deficit[i] <= c: i = (i+1) mod n; deficit[i] += quantum
//	deficit[i] -= c; pick i
//
// The comparison is <=, as in Reactors.IO (a member keeps the turn only
// while its deficit is strictly greater than the cost). The tests measure
// a spread of at most quantum plus the largest cost. cost is called
// before the pick touches the shared state.
//
// The counters belong to one [*Members]: a pick with a different *Members
// resets them, as a new Reactors.IO policy would. Picks are serial: for
// up to 8 members whose counters fit in one 64-bit word (every cost plus
// the quantum below 2^(60/n): 32768 for 4 members, 256 for 8) a pick is a
// compare-and-swap of that word; otherwise, and for good once a cost does
// not fit, picks take mu. Either way they follow the loop above exactly.
// A pick advances at most 2n times however large the cost is next to the
// quantum (whole rounds in which nobody can reach the cost are added in
// one step).
type deficitRoundRobin[T any] struct {
	quantum int
	cost    func(T) int

	mu sync.Mutex               // serializes installing a new state
	st atomic.Pointer[drrState] // the state of the last member set seen
}

// drrState is the round of one [*Members]. While word holds a packed
// state (bit 63 clear), it is the state: picks replace it by
// compare-and-swap and nothing else is read. Once word is drrUnpacked,
// deficits and i hold the state, under mu, and word never changes again.
// A drrState belongs to one *Members for its whole life, so a word can
// never be read with the layout of another member set.
type drrState struct {
	m    *Members
	n    int
	bits uint   // width of one packed counter; 0: never packed
	mask uint64 // 1<<bits - 1
	word atomic.Uint64

	mu       sync.Mutex
	deficits []int // guarded by mu, once word is drrUnpacked
	i        int   // guarded by mu, once word is drrUnpacked
}

// Packed layout: counter j in bits [j·bits, (j+1)·bits), the current
// index in bits 60..62, bit 63 set when the state is not packed.
const (
	drrMaxPacked = 8
	drrIndexPos  = 60
	drrUnpacked  = uint64(1) << 63
)

func newDRRState(m *Members, n int) *drrState {
	s := &drrState{m: m, n: n}
	if n <= drrMaxPacked {
		s.bits = uint(min(drrIndexPos/n, 30))
		s.mask = 1<<s.bits - 1
		s.word.Store(uint64(n-1) << drrIndexPos) // counters 0, index n-1
	} else {
		s.deficits = make([]int, n)
		s.i = n - 1
		s.word.Store(drrUnpacked)
	}
	return s
}

func (p *deficitRoundRobin[T]) Pick(v T, m *Members) int {
	n := m.Len()
	if n == 0 {
		return None
	}
	c := p.costOf(v)
	s := p.st.Load()
	if s == nil || s.m != m {
		s = p.install(m, n)
	}
	// Packed: every counter stays at most the largest cost plus the
	// quantum, so a cost with c+quantum < 2^bits keeps them all in
	// range.
	if s.bits != 0 && c+p.quantum < 1<<s.bits {
		for {
			old := s.word.Load()
			if old&drrUnpacked != 0 {
				break
			}
			// The current member keeps the turn while its counter exceeds
			// c: then the pick only takes c from that counter.
			i := int(old >> drrIndexPos)
			sh := uint(i) * s.bits & 63
			next := old - uint64(c)<<sh
			if int(old>>sh&s.mask) <= c {
				i, next = s.packedPick(old, p.quantum, c)
			}
			if s.word.CompareAndSwap(old, next) {
				return i
			}
		}
	}
	return s.pickLocked(p.quantum, c)
}

// packedPick runs Reactors.IO's loop on the packed state old for an
// event of cost c with quantum q, and returns the picked member and the
// new packed state. c+q < 2^s.bits (the caller checks), so no counter
// outgrows its field: adding a quantum to one cannot carry into the
// next. The loop works on the word itself; only a whole round in which
// nobody exceeds c (costs well above the quantum) unpacks the counters
// for drrPick's shortcut (packedRound).
func (s *drrState) packedPick(old uint64, q, c int) (int, uint64) {
	const indexMask = uint64(drrMaxPacked-1) << drrIndexPos
	n, bits, mask := s.n, s.bits, s.mask
	i := int(old >> drrIndexPos)
	w := old &^ indexMask
	for steps := 0; int(w>>(uint(i)*bits&63)&mask) <= c; steps++ {
		if steps == n {
			return s.packedRound(w, i, q, c)
		}
		if i++; i == n {
			i = 0
		}
		w += uint64(q) << (uint(i) * bits & 63)
	}
	w -= uint64(c) << (uint(i) * bits & 63)
	return i, w | uint64(i)<<drrIndexPos
}

// packedRound finishes packedPick with drrPick on unpacked counters w
// from member i, after a whole round in which nobody exceeded c.
func (s *drrState) packedRound(w uint64, i, q, c int) (int, uint64) {
	n, bits, mask := s.n, s.bits, s.mask
	var d [drrMaxPacked]int
	for j := range n {
		d[j] = int(w >> (uint(j) * bits) & mask)
	}
	i = drrPick(d[:n], i, q, c)
	w = 0
	for j := range n {
		w |= uint64(d[j]) << (uint(j) * bits)
	}
	return i, w | uint64(i)<<drrIndexPos
}

// costOf returns v's cost, clamped to [0, maxDeficitCost].
func (p *deficitRoundRobin[T]) costOf(v T) int {
	return min(max(p.cost(v), 0), maxDeficitCost)
}

// install makes the state of m the current one, unless a concurrent pick
// already did, and returns the current state.
func (p *deficitRoundRobin[T]) install(m *Members, n int) *drrState {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.st.Load()
	if s == nil || s.m != m {
		s = newDRRState(m, n)
		p.st.Store(s)
	}
	return s
}

// pickLocked picks under s.mu, first unpacking the word if it still
// holds the state (then it stays unpacked).
func (s *drrState) pickLocked(q, c int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deficits == nil {
		s.deficits = make([]int, s.n)
		mask := uint64(1)<<s.bits - 1
		for {
			old := s.word.Load()
			for j := range s.n {
				s.deficits[j] = int(old >> (uint(j) * s.bits) & mask)
			}
			s.i = int(old >> drrIndexPos & (drrMaxPacked - 1))
			if s.word.CompareAndSwap(old, drrUnpacked) {
				break
			}
		}
	}
	s.i = drrPick(s.deficits, s.i, q, c)
	return s.i
}

// drrPick runs Reactors.IO's loop on counters d from current member i for
// an event of cost c with quantum q, and returns the picked member.
// Counters are at most largest cost + quantum, so adding a quantum cannot
// overflow.
func drrPick(d []int, i, q, c int) int {
	n := len(d)
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
	return i
}
