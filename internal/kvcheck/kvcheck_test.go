package kvcheck_test

import (
	"testing"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/internal/kvcheck"
)

// The checker must fail a read that misses an acknowledged write, so that
// a passing check means something; and pass the same history once the
// read sees the write.
func TestModelCatchesStaleRead(t *testing.T) {
	var h kvcheck.History
	call := h.Now()
	h.Add(0, kvcheck.Input{Kind: kvcheck.Put, Key: "k", Val: 1}, call, kvcheck.Output{})
	call = h.Now()
	h.Add(1, kvcheck.Input{Kind: kvcheck.Get, Key: "k"}, call, kvcheck.Output{}) // after the Put, sees nothing
	ops := h.Ops()
	require.False(t, porcupine.CheckOperations(kvcheck.Model, ops))
	ops[1].Output = kvcheck.Output{Val: 1, OK: true}
	require.True(t, porcupine.CheckOperations(kvcheck.Model, ops))
}

// CompareAndSwap swaps only a present key holding the old value; Delete
// and Get see the result.
func TestModelCompareAndSwap(t *testing.T) {
	var h kvcheck.History
	for i, step := range []struct {
		in  kvcheck.Input
		out kvcheck.Output
	}{
		{kvcheck.Input{Kind: kvcheck.CAS, Key: "k", Old: 0, Val: 5}, kvcheck.Output{}}, // absent: no swap
		{kvcheck.Input{Kind: kvcheck.Put, Key: "k", Val: 1}, kvcheck.Output{}},
		{kvcheck.Input{Kind: kvcheck.CAS, Key: "k", Old: 1, Val: 2}, kvcheck.Output{OK: true}},
		{kvcheck.Input{Kind: kvcheck.Delete, Key: "k"}, kvcheck.Output{Val: 2, OK: true}},
		{kvcheck.Input{Kind: kvcheck.Get, Key: "k"}, kvcheck.Output{}},
	} {
		call := h.Now()
		h.Add(i, step.in, call, step.out)
	}
	require.True(t, porcupine.CheckOperations(kvcheck.Model, h.Ops()))
}

// An operation of unknown result may have happened or not: a read after
// it may see its write or the value before, but nothing else.
func TestModelUnknownResult(t *testing.T) {
	const never = int64(1) << 62
	for _, tc := range []struct {
		read kvcheck.Output
		ok   bool
	}{
		{kvcheck.Output{Val: 2, OK: true}, true},  // it happened
		{kvcheck.Output{Val: 1, OK: true}, true},  // it did not
		{kvcheck.Output{Val: 3, OK: true}, false}, // nobody wrote 3
		{kvcheck.Output{}, false},                 // nobody deleted k
	} {
		var h kvcheck.History
		call := h.Now()
		h.Add(0, kvcheck.Input{Kind: kvcheck.Put, Key: "k", Val: 1}, call, kvcheck.Output{})
		h.AddSpan(1, kvcheck.Input{Kind: kvcheck.Put, Key: "k", Val: 2}, h.Now(), never, kvcheck.Output{Unknown: true})
		call = h.Now()
		h.Add(2, kvcheck.Input{Kind: kvcheck.Get, Key: "k"}, call, tc.read)
		require.Equal(t, tc.ok, porcupine.CheckOperations(kvcheck.Model, h.Ops()), "read %+v", tc.read)
	}
}
