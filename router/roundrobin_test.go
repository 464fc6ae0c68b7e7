package router_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/router"
)

func TestRoundRobinIsCyclicFromMemberZero(t *testing.T) {
	p := router.RoundRobin[int]()
	require.Equal(t, []int{0, 1, 2, 0, 1, 2, 0}, polPicks(p, polMembers(3), 7))
}

func TestRoundRobinExactlyFairUnderConcurrentPicks(t *testing.T) {
	const n, k, goroutines = 7, 1000, 8
	p := router.RoundRobin[int]()
	m := polMembers(n)
	var mu sync.Mutex
	counts := make([]int, n)
	var wg sync.WaitGroup
	for g := range goroutines {
		// The k·n picks are split unevenly among the goroutines.
		picks := k * n / goroutines
		if g == 0 {
			picks += k * n % goroutines
		}
		wg.Go(func() {
			local := make([]int, n)
			for range picks {
				local[p.Pick(0, m)]++
			}
			mu.Lock()
			defer mu.Unlock()
			for i, c := range local {
				counts[i] += c
			}
		})
	}
	wg.Wait()
	for i, c := range counts {
		require.Equal(t, k, c, "member %d", i)
	}
}

func TestRoundRobinContinuesFromCounterAfterMembershipChange(t *testing.T) {
	p := router.RoundRobin[int]()
	require.Equal(t, []int{0, 1, 2, 0}, polPicks(p, polMembers(3), 4))
	// Four picks so far: the next goes to 4 mod 5 on a set of five.
	require.Equal(t, []int{4, 0, 1}, polPicks(p, polMembers(5), 3))
	// An empty set does not use up a turn.
	require.Equal(t, router.None, p.Pick(0, router.NewMembers()))
	require.Equal(t, []int{2, 3}, polPicks(p, polMembers(5), 2))
}
