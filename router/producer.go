package router

import "context"

// Producer sends events through a router from one goroutine. It routes
// exactly as [Router.Send] does, except that it keeps the state of a
// round-robin or deficit round-robin policy for itself: its picks then
// take no atomic instruction, where the router's shared state costs
// every pick one (an atomic add or a compare-and-swap that makes picks
// fair across concurrent senders). For a single goroutine feeding a pool
// of workers, a Producer routes a fifth to a third faster than the
// router's Channel (W3 in docs/benchmarks.md).
//
// A Producer must not be used by two goroutines at once; like a
// bufio.Writer, hand it over with the usual synchronization. Make one
// per goroutine with [Router.Producer]; any number may share a router,
// alongside senders on its Channel.
//
// What a Producer promises, for a stable member set:
//
//   - RoundRobin: the producer's own sends are exactly fair: any k·n
//     consecutive sends of one producer give each of the n members k
//     events. Each producer starts at the member the router's shared
//     counter names when it is made (so producers do not all start at
//     member 0) and then cycles on its own, so the router's totals over
//     all its senders are no longer exactly fair: they differ by at most
//     one per producer and one for the shared Channel.
//   - DeficitRoundRobin: the producer's own sends obey the policy's
//     bound (member totals within 2·quantum plus the largest cost of
//     each other); over several producers the bounds add up.
//   - Every other policy (and a custom one) is the router's own, shared
//     with all its senders: a Producer adds nothing to its cost or
//     changes its promise.
//
// A membership change reaches a Producer at its next send, as it reaches
// [Router.Send]: round-robin goes on from its own count (reduced modulo
// the new size), deficit round-robin starts a fresh round. Errors and
// dead letters are Send's.
type Producer[T any] struct {
	r *Router[T]

	// Round-robin: picks made so far, counting from the start member.
	next uint64

	// Deficit round-robin: the round of the member set m, rebuilt when
	// the router's set changes.
	m        *Members
	deficits []int
	i        int
}

// Producer returns a new [Producer] for r, for one goroutine. It costs
// one allocation (and one atomic add for a round-robin router).
func (r *Router[T]) Producer() *Producer[T] {
	p := &Producer[T]{r: r}
	if r.rr != nil {
		p.next = r.rr.next.Add(1) - 1
	}
	return p
}

// Send routes v as [Router.Send] does, picking with the producer's own
// state for round-robin and deficit round-robin (see [Producer]). It
// allocates nothing, except for a deficit round-robin Producer's first
// send after a membership change (its counters).
func (p *Producer[T]) Send(v T) error {
	set := p.r.set.Load()
	if i, own := p.pick(set, v); own {
		set.count(i)
		return set.targets[i].Send(v)
	}
	return p.r.Send(v)
}

// Offer routes v as [Router.Offer] does: as Send, but a full [reactor.Block]
// mailbox makes it wait at most until ctx ends.
func (p *Producer[T]) Offer(ctx context.Context, v T) error {
	set := p.r.set.Load()
	if i, own := p.pick(set, v); own {
		set.count(i)
		return set.targets[i].Offer(ctx, v)
	}
	return p.r.Offer(ctx, v)
}

// pick picks v's target in set with the producer's own state and
// reports true, or reports false when the router's shared policy picks
// (another policy, or an empty or closed set).
func (p *Producer[T]) pick(set *memberSet[T], v T) (int, bool) {
	n := len(set.targets)
	if n > 0 && p.r.rr != nil {
		i := reduce(p.next, n)
		p.next++
		return i, true
	}
	if n > 0 && p.r.drr != nil {
		return p.pickDRR(set, v), true
	}
	return 0, false
}

// pickDRR runs Reactors.IO's deficit round-robin on the producer's own
// counters for set (n > 0), starting a fresh round on a new set.
func (p *Producer[T]) pickDRR(set *memberSet[T], v T) int {
	if p.m != &set.m {
		p.m, p.deficits, p.i = &set.m, make([]int, len(set.targets)), len(set.targets)-1
	}
	d := p.r.drr
	p.i = drrPick(p.deficits, p.i, d.quantum, d.costOf(v))
	return p.i
}
