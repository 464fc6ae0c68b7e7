package router_test

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/router"
)

// ownerKey returns the key of the member that p picks for key k.
func ownerKey(p router.Policy[uint64], m *router.Members, k uint64) uint64 {
	return m.Key(p.Pick(k, m))
}

func TestConsistentHashGoldenValues(t *testing.T) {
	// Members w0#main..w4#main. The owners were checked against an
	// independent implementation (XXH64 from its specification, the ring
	// built and searched as documented on ConsistentHash).
	m := polMembers(5)
	for _, g := range []struct {
		vnodes int
		owners []int // for the keys of hashGolden, in order
	}{
		{1, []int{1, 3, 1, 3, 1, 1, 3, 1}},
		{100, []int{3, 0, 4, 0, 4, 2, 3, 0}},
	} {
		p := router.ConsistentHash(polIdentity, g.vnodes)
		for i, h := range hashGolden {
			require.Equal(t, g.owners[i], p.Pick(h.key, m), "vnodes %d, key %#x", g.vnodes, h.key)
		}
	}
}

func TestConsistentHashAgreement(t *testing.T) {
	// Two independently built policies over the same member set, listed
	// in opposite orders, give the same owner for every key.
	keys := polKeys(0, 10)
	a := router.NewMembers(keys...)
	slices.Reverse(keys)
	b := router.NewMembers(keys...)
	pa, pb := router.ConsistentHash(polIdentity, 100), router.ConsistentHash(polIdentity, 100)
	for k := range uint64(100_000) {
		require.Equal(t, ownerKey(pa, a, k), ownerKey(pb, b, k), "key %d", k)
	}
}

func TestConsistentHashAddMovesFewKeysAllToNewMember(t *testing.T) {
	const n, keys = 10, 100_000
	// One policy per member set: a policy caches the ring of one set only.
	p, q := router.ConsistentHash(polIdentity, 100), router.ConsistentHash(polIdentity, 100)
	before := polMembers(n)
	// The new member goes first, so every old member's index shifts.
	after := router.NewMembers(append(polKeys(n, n+1), polKeys(0, n)...)...)
	newKey := after.Key(0)
	moved := 0
	for k := range uint64(keys) {
		was, is := ownerKey(p, before, k), ownerKey(q, after, k)
		if was != is {
			moved++
			require.Equal(t, newKey, is, "key %d moved between old members", k)
		}
	}
	frac := float64(moved) / keys
	t.Logf("consistent hash (100 vnodes), %d -> %d members: %.4f of %d keys moved (ideal %.4f)", n, n+1, frac, keys, 1.0/(n+1))
	require.LessOrEqual(t, frac, 1.0/(n+1)+0.05)
	require.Positive(t, moved)
}

func TestConsistentHashRemoveMovesOnlyRemovedMembersKeys(t *testing.T) {
	const n, keys, gone = 10, 100_000, 3
	p, q := router.ConsistentHash(polIdentity, 100), router.ConsistentHash(polIdentity, 100)
	before := polMembers(n)
	after := router.NewMembers(slices.Delete(polKeys(0, n), gone, gone+1)...)
	goneKey := before.Key(gone)
	moved, owned := 0, 0
	for k := range uint64(keys) {
		was, is := ownerKey(p, before, k), ownerKey(q, after, k)
		if was == goneKey {
			owned++
		} else {
			require.Equal(t, was, is, "key %d of a remaining member moved", k)
		}
		if was != is {
			moved++
		}
	}
	require.Equal(t, owned, moved)
	t.Logf("consistent hash (100 vnodes), %d -> %d members: %.4f of %d keys moved (the removed member's share)", n, n-1, float64(moved)/keys, keys)
}

func TestConsistentHashSpreadsKeys(t *testing.T) {
	const n, keys = 10, 100_000
	m := polMembers(n)
	for _, vnodes := range []int{10, 100, 1000} {
		p := router.ConsistentHash(polIdentity, vnodes)
		counts := make([]int, n)
		for k := range uint64(keys) {
			counts[p.Pick(k, m)]++
		}
		lo, hi := slices.Min(counts), slices.Max(counts)
		t.Logf("vnodes %d: member shares %.3f..%.3f of keys (even is %.3f)", vnodes, float64(lo)/keys, float64(hi)/keys, 1.0/n)
		if vnodes >= 100 {
			require.Greater(t, lo, keys/n/2, "vnodes %d: counts %v", vnodes, counts)
			require.Less(t, hi, keys/n*2, "vnodes %d: counts %v", vnodes, counts)
		}
	}
}

func TestConsistentHashWrapsAround(t *testing.T) {
	// One member with one point: every key, below or above the point,
	// goes to it; the extreme hashes exercise both ends of the search.
	p := router.ConsistentHash(polIdentity, 1)
	m := polMembers(1)
	for _, k := range []uint64{0, 1, 42, math.MaxUint64} {
		require.Equal(t, 0, p.Pick(k, m))
	}
}

func TestConsistentHashBadArgumentsPanic(t *testing.T) {
	require.PanicsWithValue(t, "router: ConsistentHash: vnodes must be at least 1", func() { router.ConsistentHash(polIdentity, 0) })
	require.PanicsWithValue(t, "router: ConsistentHash: nil key function", func() { router.ConsistentHash[int](nil, 10) })
}
