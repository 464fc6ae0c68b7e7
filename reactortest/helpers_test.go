package reactortest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactortest"
)

// run sends 0..n-1 through a fresh faulty channel with script s, flushes
// it, and returns what the target received.
func run(t testing.TB, s reactortest.Script, n int, opts ...reactortest.Option) ([]int, reactortest.Stats) {
	t.Helper()
	rec := reactortest.NewRecorder[int]("sink")
	f := reactortest.NewFaulty(rec, s, opts...)
	for i := range n {
		require.NoError(t, f.Channel().Send(i))
	}
	f.Flush()
	st := f.Stats()
	requireBalanced(t, st)
	require.Zero(t, st.Pending)
	return rec.Events(), st
}

// requireBalanced checks the accounting identity of Stats.
func requireBalanced(t testing.TB, st reactortest.Stats) {
	t.Helper()
	require.Equal(t, st.Sent+st.Duplicated, st.Dropped+st.Delivered+uint64(st.Pending), "stats out of balance: %+v", st)
}

// seq returns 0..n-1.
func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// counts returns how many times each value occurs in s.
func counts(s []int) map[int]int {
	c := make(map[int]int, len(s))
	for _, v := range s {
		c[v]++
	}
	return c
}
