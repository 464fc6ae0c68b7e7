package durable

import "sort"

// spans is a set of stream sequence numbers kept as sorted, disjoint,
// non-adjacent closed intervals: the events an export acknowledged and
// that JetStream may still deliver again. Acknowledgements come nearly in
// order, so it holds a few intervals however many numbers it holds. Not
// safe for concurrent use.
type spans []span

type span struct{ lo, hi uint64 }

// add adds seq to the set.
func (s *spans) add(seq uint64) {
	v := *s
	if n := len(v); n > 0 && seq == v[n-1].hi+1 { // the common case: the next one
		v[n-1].hi = seq
		return
	}
	i := sort.Search(len(v), func(i int) bool { return v[i].hi+1 >= seq }) // first span that seq touches or precedes
	switch {
	case i < len(v) && seq >= v[i].lo && seq <= v[i].hi:
		return // held already
	case i < len(v) && seq == v[i].hi+1:
		v[i].hi = seq
		if i+1 < len(v) && v[i+1].lo == seq+1 { // joins the next one
			v[i].hi = v[i+1].hi
			v = append(v[:i+1], v[i+2:]...)
		}
	case i < len(v) && seq+1 == v[i].lo:
		v[i].lo = seq
	default:
		v = append(v, span{})
		copy(v[i+1:], v[i:])
		v[i] = span{seq, seq}
	}
	*s = v
}

// has reports whether seq is in the set.
func (s spans) has(seq uint64) bool {
	i := sort.Search(len(s), func(i int) bool { return s[i].hi >= seq })
	return i < len(s) && s[i].lo <= seq
}

// dropThrough removes every number up to floor.
func (s *spans) dropThrough(floor uint64) {
	v := *s
	i := sort.Search(len(v), func(i int) bool { return v[i].hi > floor })
	v = v[i:]
	if len(v) > 0 && v[0].lo <= floor {
		v[0].lo = floor + 1
	}
	*s = v
}

// len returns how many numbers the set holds.
func (s spans) len() int {
	n := 0
	for _, p := range s {
		n += int(p.hi - p.lo + 1)
	}
	return n
}
