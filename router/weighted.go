package router

import "sync"

// Weighted returns a policy that gives members events in proportion to
// their weights, with nginx's smooth weighted round-robin: each member
// has a current value, 0 when a member set is first seen; a pick adds
// every member's weight to its current value, picks the member with the
// largest (the first one on a tie) and subtracts the total weight from
// it. Over any total·k consecutive picks of a stable set, a member of
// weight w gets exactly w·k events, and the picks are interleaved rather
// than bunched: weights {5, 1, 1} give a a b a c a a, not a a a a a b c.
//
// weight maps a member's [Members.Key] to its weight. It is called once per
// member when a [*Members] is first seen, with the policy's lock held, so it
// must not call back into the policy; later weight changes are seen only with
// the next member set. A weight <= 0 excludes the member; if every member is
// excluded [Policy.Pick] returns [None]. The weights must sum to less than
// [math.MaxInt]. Weighted panics if weight is nil.
//
// The state depends on the member set: the current values belong to one
// *Members, and a pick with a different *Members starts afresh, so give each
// router its own policy value. Weighted is serial: picks take a [sync.Mutex],
// so concurrent senders queue on it. A pick costs O(n) (about 20ns at 10
// members) and allocates nothing, except that the first pick with a new
// *Members allocates two slices of n ints unless the previous ones fit.
func Weighted[T any](weight func(key uint64) int) Policy[T] {
	if weight == nil {
		panic("router: Weighted: nil weight function")
	}
	return &weighted[T]{weight: weight}
}

type weighted[T any] struct {
	weight func(key uint64) int

	mu      sync.Mutex
	m       *Members // guarded by mu: the set the state below belongs to
	weights []int    // guarded by mu: weight of each member of m, 0 if excluded
	current []int    // guarded by mu: nginx's current_weight per member
	total   int      // guarded by mu: sum of weights
}

func (p *weighted[T]) Pick(_ T, m *Members) int {
	n := m.Len()
	if n == 0 {
		return None
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m != m {
		p.resetLocked(m, n)
	}
	if p.total == 0 {
		return None
	}
	best := -1
	for i, w := range p.weights {
		if w == 0 {
			continue
		}
		p.current[i] += w
		if best < 0 || p.current[i] > p.current[best] {
			best = i
		}
	}
	p.current[best] -= p.total
	return best
}

// resetLocked looks up m's weights and zeroes the current values. p.mu
// must be held.
func (p *weighted[T]) resetLocked(m *Members, n int) {
	p.m = nil // if weight panics, the next pick starts over
	if cap(p.weights) >= n {
		p.weights, p.current = p.weights[:n], p.current[:n]
		clear(p.current)
	} else {
		p.weights, p.current = make([]int, n), make([]int, n)
	}
	p.total = 0
	for i := range n {
		w := max(p.weight(m.Key(i)), 0)
		p.weights[i] = w
		p.total += w
	}
	p.m = m
}
