package router

import "sync/atomic"

// SmallestQueue returns a load-aware policy that picks the member with the
// fewest events waiting in its mailbox ([Members.Load], which reads
// [reactor.Channel.Len]), like Akka's smallest-mailbox router. A member
// with an empty mailbox is taken at once. Ties go to the first member met
// in a scan that starts one member further on at every pick, so equally
// loaded members share the events round-robin instead of the first one
// taking them all.
//
// Queue lengths are live but approximate (events of a turn under way may
// still count, sends under way may not yet), so the policy balances load;
// it does not promise an exact split. Members that report no load
// (forwarding channels) always look empty.
//
// [Policy.Pick] costs one atomic add plus a few atomic loads per member scanned:
// O(1) when some member is idle near the start of the scan, O(members)
// when all are busy. It allocates nothing and is safe for concurrent use.
func SmallestQueue[T any]() Policy[T] { return &smallest[T]{} }

type smallest[T any] struct {
	next atomic.Uint64 // where the next scan starts
}

func (p *smallest[T]) Pick(_ T, m *Members) int {
	n := m.Len()
	if n == 0 {
		return None
	}
	start := int((p.next.Add(1) - 1) % uint64(n))
	best, bestLoad := start, -1
	for k := range n {
		i := start + k
		if i >= n {
			i -= n
		}
		l := m.Load(i)
		if l == 0 {
			return i
		}
		if bestLoad < 0 || l < bestLoad {
			best, bestLoad = i, l
		}
	}
	return best
}
