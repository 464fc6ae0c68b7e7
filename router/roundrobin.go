package router

import "sync/atomic"

// RoundRobin returns a policy that picks members in cyclic order, like
// Reactors.IO's Router.roundRobin: the k-th pick (counting from 0, over
// all callers together) goes to member k mod n, where n is the number of
// members at that pick.
//
// Under a stable member set it is exactly fair: any k·n consecutive picks
// give every member exactly k events, also when many goroutines pick at
// once, because each pick takes a distinct counter value. When the set
// changes the cycle goes on from the counter, so the first pick on the
// new set goes to member counter mod n, not necessarily to member 0. An
// empty set gives [None] and does not advance the counter. One policy value
// shared by several routers is fair over their picks together. A
// [Producer] made from a router with this policy takes one counter value
// when it is made, as its starting member, and then picks on its own
// (see Producer for what that does to the totals).
//
// [Policy.Pick] costs one atomic add (about 2.5ns uncontended on amd64;
// concurrent callers contend on that one word) and allocates nothing. The
// policy is safe for concurrent use and holds no per-Members state.
func RoundRobin[T any]() Policy[T] { return &roundRobin[T]{} }

type roundRobin[T any] struct {
	next atomic.Uint64 // picks handed out so far
}

func (p *roundRobin[T]) Pick(_ T, m *Members) int {
	n := m.Len()
	if n == 0 {
		return None
	}
	return reduce(p.next.Add(1)-1, n)
}
