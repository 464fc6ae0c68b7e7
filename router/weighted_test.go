package router_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/router"
)

// weightsOf returns a weight function giving m's i-th member weights[i].
func weightsOf(m *router.Members, weights ...int) func(uint64) int {
	byKey := make(map[uint64]int, m.Len())
	for i := range m.Len() {
		byKey[m.Key(i)] = weights[i]
	}
	return func(k uint64) int { return byKey[k] }
}

func TestWeightedNginxSequence(t *testing.T) {
	// nginx's documented example: weights a=5, b=1, c=1.
	m := polMembers(3)
	p := router.Weighted[int](weightsOf(m, 5, 1, 1))
	const a, b, c = 0, 1, 2
	require.Equal(t, []int{a, a, b, a, c, a, a, a, a, b, a, c, a, a}, polPicks(p, m, 14))
}

func TestWeightedExactAndInterleaved(t *testing.T) {
	const k = 100
	for _, weights := range [][]int{
		{1, 1, 1},
		{5, 1, 1},
		{4, 3, 2, 1},
		{10, 1},
		{7, 0, 3, -2, 2}, // two members excluded
		{100, 99, 1},
	} {
		m := polMembers(len(weights))
		p := router.Weighted[int](weightsOf(m, weights...))
		total := 0
		for _, w := range weights {
			total += max(w, 0)
		}
		picks := polPicks(p, m, total*k)
		counts := polCounts(picks, len(weights))
		for i, w := range weights {
			require.Equal(t, max(w, 0)*k, counts[i], "weights %v, member %d", weights, i)
		}
		// Interleaving: a member of weight w never gets more than
		// ceil(w/(total-w)) + 1 events in a row (bunched picks would give
		// it all w).
		run, longest := 0, make([]int, len(weights))
		for j, i := range picks {
			if j > 0 && picks[j-1] == i {
				run++
			} else {
				run = 1
			}
			longest[i] = max(longest[i], run)
		}
		for i, w := range weights {
			if w <= 0 || w == total {
				continue
			}
			others := total - w
			bound := (w+others-1)/others + 1
			require.LessOrEqual(t, longest[i], bound, "weights %v, member %d, runs %v", weights, i, longest)
		}
		t.Logf("weights %v: longest runs %v", weights, longest)
	}
}

func TestWeightedAllExcludedIsNone(t *testing.T) {
	m := polMembers(3)
	p := router.Weighted[int](func(uint64) int { return 0 })
	require.Equal(t, router.None, p.Pick(0, m))
	p = router.Weighted[int](weightsOf(m, -1, 0, -5))
	require.Equal(t, router.None, p.Pick(0, m))
}

func TestWeightedLooksUpWeightsOncePerMembers(t *testing.T) {
	calls := 0
	p := router.Weighted[int](func(uint64) int { calls++; return 2 })
	a := polMembers(3)
	polPicks(p, a, 10)
	require.Equal(t, 3, calls)
	b := polMembers(4)
	require.Equal(t, []int{0, 1, 2, 3, 0}, polPicks(p, b, 5), "a new set starts afresh")
	require.Equal(t, 7, calls)
}

func TestWeightedPanickingWeightLeavesPolicyUsable(t *testing.T) {
	fail := true
	p := router.Weighted[int](func(uint64) int {
		if fail {
			panic("boom")
		}
		return 1
	})
	m := polMembers(2)
	require.Panics(t, func() { p.Pick(0, m) })
	fail = false
	require.Equal(t, []int{0, 1, 0, 1}, polPicks(p, m, 4))
}

func TestWeightedNilWeightPanics(t *testing.T) {
	require.PanicsWithValue(t, "router: Weighted: nil weight function", func() { router.Weighted[int](nil) })
}
