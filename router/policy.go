package router

import "github.com/cespare/xxhash/v2"

// Special results of [Policy.Pick].
const (
	// None means the event has no target: the router reports [ErrNoRoute]
	// and dead-letters it.
	None = -1
	// All means every member gets the event (broadcast).
	All = -2
)

// Policy chooses the target of each routed event among a router's
// members. [Policy.Pick] returns a member index in [0, m.Len()), [All] or [None].
//
// Policies are the pure core of routing: no goroutines, no clock, no
// channels; randomness comes from a source the policy owns. A router may
// call Pick from many goroutines at once (a routing channel picks on each
// sender's goroutine), so implementations must be safe for concurrent
// use; the policies of this package are, and say what that costs. An
// empty member set must give None, never a panic.
type Policy[T any] interface {
	Pick(v T, m *Members) int
}

// PolicyFunc adapts a function to [Policy]. It must be safe for concurrent
// use and return [None] for an empty member set.
type PolicyFunc[T any] func(v T, m *Members) int

// Pick calls f.
func (f PolicyFunc[T]) Pick(v T, m *Members) int { return f(v, m) }

// Members is a router's target set at one moment. It is immutable: adding
// or removing a target makes a new Members, so a policy may cache what it
// derives from one (a hash ring, per-member counters) keyed by its
// pointer. Members are kept in the order they were added.
type Members struct {
	keys []uint64
	load func(i int) int // queue length of member i; nil: unknown (0)
}

// NewMembers returns a member set with the given stable keys, in order.
// Routers build their own; this is for testing policies.
func NewMembers(keys ...uint64) *Members {
	return &Members{keys: append([]uint64(nil), keys...)}
}

// NewLoadMembers is [NewMembers] whose Load(i) reports load(i), for testing
// load-aware policies.
func NewLoadMembers(load func(i int) int, keys ...uint64) *Members {
	m := NewMembers(keys...)
	m.load = load
	return m
}

// Load returns about how many events wait in member i's mailbox
// ([reactor.Channel.Len]): a live, approximate figure that load-aware
// policies such as [SmallestQueue] read at each pick. It costs a few atomic
// loads. Members that are not reactor mailboxes (forwarding channels)
// report 0.
func (m *Members) Load(i int) int {
	if m.load == nil {
		return 0
	}
	return m.load(i)
}

// Len returns the number of members.
func (m *Members) Len() int {
	if m == nil {
		return 0
	}
	return len(m.keys)
}

// Key returns member i's stable key: the xxhash of its channel's name
// ("reactor#channel"), the same for the same target in every router and
// every run, so that key-affine policies agree.
func (m *Members) Key(i int) uint64 { return m.keys[i] }

// reduce returns k mod n for n > 0: a mask when n is a power of two, a
// 32-bit division when both fit in 32 bits, a 64-bit division otherwise
// (on amd64 a 64-bit division costs several times a 32-bit one). [Policy.Pick]
// results must not depend on which branch is taken; they do not.
func reduce(k uint64, n int) int {
	u := uint64(n)
	if u&(u-1) == 0 {
		return int(k & (u - 1))
	}
	if (k|u)>>32 == 0 {
		return int(uint32(k) % uint32(u))
	}
	return int(k % u)
}

// KeyOf returns the stable key of a target named name.
func KeyOf(name string) uint64 { return xxhash.Sum64String(name) }
