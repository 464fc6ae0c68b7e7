package router_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/router"
)

func TestRandomUsesInjectedSource(t *testing.T) {
	var asked []int
	seq := []int{2, 0, 1, 2}
	p := router.Random[int](func(n int) int {
		asked = append(asked, n)
		v := seq[0]
		seq = seq[1:]
		return v
	})
	require.Equal(t, []int{2, 0, 1, 2}, polPicks(p, polMembers(3), 4))
	require.Equal(t, []int{3, 3, 3, 3}, asked)

	require.Equal(t, router.None, p.Pick(0, router.NewMembers()), "empty set")
	require.Len(t, asked, 4, "intn is not called for an empty set")
}

func TestRandomOutOfRangeSourcePanics(t *testing.T) {
	p := router.Random[int](func(n int) int { return n })
	require.PanicsWithValue(t, "router: Random: intn(3) returned 3", func() { p.Pick(0, polMembers(3)) })
	p = router.Random[int](func(int) int { return -1 })
	require.Panics(t, func() { p.Pick(0, polMembers(3)) })
}

func TestRandomDefaultSourceIsUniform(t *testing.T) {
	const n, per = 7, 10_000
	counts := polCounts(polPicks(router.Random[int](nil), polMembers(n), n*per), n)
	for i, c := range counts {
		// The standard deviation is about 93; 1,000 is more than 10 of them.
		require.InDelta(t, per, c, 1000, "member %d", i)
	}
}
