package router_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/router"
)

// allPolicies returns a fresh instance of every policy of the package.
func allPolicies() []struct {
	name string
	p    router.Policy[uint64]
} {
	return []struct {
		name string
		p    router.Policy[uint64]
	}{
		{"RoundRobin", router.RoundRobin[uint64]()},
		{"Random", router.Random[uint64](nil)},
		{"RandomInjected", router.Random[uint64](func(n int) int { return n - 1 })},
		{"Hash", router.Hash(polIdentity)},
		{"HashString", router.HashString(func(v uint64) string { return "k" })},
		{"DeficitRoundRobin", router.DeficitRoundRobin(8, func(v uint64) int { return int(v%8) + 1 })},
		{"Broadcast", router.Broadcast[uint64]()},
		{"ConsistentHash", router.ConsistentHash(polIdentity, 50)},
		{"Weighted", router.Weighted[uint64](func(k uint64) int { return int(k%3) + 1 })},
		{"SmallestQueue", router.SmallestQueue[uint64]()},
	}
}

// validPick reports whether i is a pick a router accepts for m.
func validPick(i int, m *router.Members) bool {
	return (i >= 0 && i < m.Len()) || (i == router.All && m.Len() > 0)
}

func TestPoliciesEmptySetIsNone(t *testing.T) {
	for _, tc := range allPolicies() {
		t.Run(tc.name, func(t *testing.T) {
			require.NotPanics(t, func() {
				require.Equal(t, router.None, tc.p.Pick(1, nil), "nil Members")
				require.Equal(t, router.None, tc.p.Pick(2, router.NewMembers()), "empty Members")
				// After a non-empty set, and back again.
				require.True(t, validPick(tc.p.Pick(3, polMembers(4)), polMembers(4)))
				require.Equal(t, router.None, tc.p.Pick(4, router.NewMembers()), "empty after non-empty")
				require.Equal(t, router.None, tc.p.Pick(5, nil), "nil after non-empty")
			})
		})
	}
}

func TestPoliciesPickInRange(t *testing.T) {
	for _, tc := range allPolicies() {
		t.Run(tc.name, func(t *testing.T) {
			for n := 1; n <= 17; n++ {
				m := polMembers(n)
				for v := range uint64(200) {
					i := tc.p.Pick(v, m)
					require.True(t, validPick(i, m), "n %d, event %d: picked %d", n, v, i)
				}
			}
		})
	}
}

// TestPoliciesConcurrentPick is for the race detector: several
// goroutines pick at once, on a shared set and on sets that change under
// them, so per-Members caches are rebuilt concurrently.
func TestPoliciesConcurrentPick(t *testing.T) {
	const goroutines, picks = 8, 2000
	sets := []*router.Members{polMembers(3), polMembers(5), router.NewMembers(), polMembers(8)}
	for _, tc := range allPolicies() {
		t.Run(tc.name, func(t *testing.T) {
			var wg sync.WaitGroup
			bad := make([]int, goroutines)
			for g := range goroutines {
				wg.Go(func() {
					for j := range picks {
						m := sets[0]
						if g%2 == 1 && j%100 == 0 {
							m = sets[(g+j/100)%len(sets)]
						}
						if i := tc.p.Pick(uint64(j), m); !validPick(i, m) && !(m.Len() == 0 && i == router.None) {
							bad[g]++
						}
					}
				})
			}
			wg.Wait()
			require.Equal(t, make([]int, goroutines), bad)
		})
	}
}

func TestPoliciesPickAllocatesNothing(t *testing.T) {
	m := polMembers(10)
	empty := router.NewMembers()
	for _, tc := range allPolicies() {
		t.Run(tc.name, func(t *testing.T) {
			tc.p.Pick(0, m) // build the per-Members cache
			var v uint64
			allocs := testing.AllocsPerRun(1000, func() {
				v++
				tc.p.Pick(v, m)
				tc.p.Pick(v, empty)
				tc.p.Pick(v, nil)
			})
			require.Zero(t, allocs)
		})
	}
}
