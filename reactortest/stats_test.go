package reactortest_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	rt "github.com/reactors-go/reactors/reactortest"
)

// The bounds below are five standard deviations of the binomial count
// around its mean; the seeds are fixed, so the tests are deterministic,
// and the bounds say the seed is not an outlier.

func TestDropRate(t *testing.T) {
	const n = 100000
	got, st := run(t, rt.Drop(0.1, 2024), n)
	require.InDelta(t, 10000, st.Dropped, 475) // sd 95
	require.Len(t, got, n-int(st.Dropped))
	require.True(t, slices.IsSorted(got), "dropping must keep the order")
	require.Equal(t, uint64(n), st.Sent)
	require.Equal(t, uint64(len(got)), st.Delivered)
}

func TestDuplicateRate(t *testing.T) {
	const n = 100000
	got, st := run(t, rt.Duplicate(0.05, 2024), n)
	require.InDelta(t, 5000, st.Duplicated, 345) // sd 69
	require.Len(t, got, n+int(st.Duplicated))
	require.True(t, slices.IsSorted(got), "duplicating must keep the order")
	c := counts(got)
	for i := range n {
		require.Contains(t, []int{1, 2}, c[i], "event %d", i)
	}
}

func TestChainRates(t *testing.T) {
	const n = 100000
	got, st := run(t, rt.Chain(rt.Drop(0.2, 5), rt.Duplicate(0.5, 6), rt.Reorder(10, 7)), n)
	require.InDelta(t, 20000, st.Dropped, 633)    // sd 126
	require.InDelta(t, 40000, st.Duplicated, 559) // 80,000 survivors at 0.5: sd 112
	require.Equal(t, st.Delivered, st.Held, "every copy went through the reorder stage")
	require.Len(t, got, int(st.Delivered))
	for v, k := range counts(got) {
		require.True(t, v >= 0 && v < n && k <= 2, "event %d delivered %d times", v, k)
	}
}
