package reactortest_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rt "github.com/reactors-go/reactors/reactortest"
)

// decide builds a Func script from a table of decisions by sequence
// number; other events pass.
func decide(m map[uint64]rt.Decision) rt.Script {
	return rt.Func(func(seq uint64, _ int) rt.Decision { return m[seq] })
}

func TestDecisionSemantics(t *testing.T) {
	dupAll := rt.Func(func(uint64, int) rt.Decision { return rt.Decision{Duplicates: 1} })
	dropOdd := rt.Func(func(seq uint64, _ int) rt.Decision { return rt.Decision{Drop: seq%2 == 1} })
	holdFront := rt.Func(func(seq uint64, held int) rt.Decision {
		return rt.Decision{Hold: true, Before: held, Release: seq == 3}
	})
	tests := []struct {
		name   string
		script rt.Script
		n      int
		want   []int
	}{
		{"zero script passes everything", rt.Script{}, 4, []int{0, 1, 2, 3}},
		{"drop", decide(map[uint64]rt.Decision{1: {Drop: true}, 2: {Drop: true}}), 4, []int{0, 3}},
		{"duplicates", decide(map[uint64]rt.Decision{1: {Duplicates: 2}}), 3, []int{0, 1, 1, 1, 2}},
		{"negative duplicates count as none", decide(map[uint64]rt.Decision{1: {Duplicates: -3}}), 3, []int{0, 1, 2}},
		{"release after the event's own copy", decide(map[uint64]rt.Decision{0: {Hold: true}, 2: {Release: true}}), 4, []int{1, 2, 0, 3}},
		{"hold appends by default", decide(map[uint64]rt.Decision{0: {Hold: true}, 1: {Hold: true}, 2: {Hold: true, Release: true}}), 4, []int{0, 1, 2, 3}},
		{"before places in front", holdFront, 4, []int{3, 2, 1, 0}},
		{"before is clamped", decide(map[uint64]rt.Decision{0: {Hold: true}, 1: {Hold: true, Before: 99, Release: true}}), 2, []int{1, 0}},
		{"negative before counts as 0", decide(map[uint64]rt.Decision{0: {Hold: true}, 1: {Hold: true, Before: -2, Release: true}}), 2, []int{0, 1}},
		{"before counts from the end", decide(map[uint64]rt.Decision{0: {Hold: true}, 1: {Hold: true}, 2: {Hold: true, Before: 1, Release: true}}), 3, []int{0, 2, 1}},
		{"held copies", decide(map[uint64]rt.Decision{0: {Hold: true, Duplicates: 1}, 1: {Release: true}}), 2, []int{1, 0, 0}},
		{"drop still releases", decide(map[uint64]rt.Decision{0: {Hold: true}, 1: {Drop: true, Release: true}}), 2, []int{0}},
		{"hold wins over delay", decide(map[uint64]rt.Decision{0: {Hold: true, Delay: time.Hour}, 1: {Release: true}}), 2, []int{1, 0}},
		{"release of nothing", decide(map[uint64]rt.Decision{0: {Release: true}}), 2, []int{0, 1}},
		{"flush releases held events", decide(map[uint64]rt.Decision{1: {Hold: true}}), 3, []int{0, 2, 1}},
		{"chain duplicates then drops", rt.Chain(dupAll, dropOdd), 3, []int{0, 1, 2}},
		{"chain drops then duplicates", rt.Chain(dropOdd, dupAll), 3, []int{0, 0, 2, 2}},
		{"empty chain", rt.Chain(), 2, []int{0, 1}},
		{"nested chain", rt.Chain(rt.Chain(dropOdd), rt.Chain(), dupAll), 3, []int{0, 0, 2, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := run(t, tc.script, tc.n)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestFuncSeesSequenceAndHeld(t *testing.T) {
	type call struct {
		seq  uint64
		held int
	}
	var calls []call
	s := rt.Func(func(seq uint64, held int) rt.Decision {
		calls = append(calls, call{seq, held})
		return rt.Decision{Hold: true, Release: held == 2}
	})
	got, _ := run(t, s, 5)
	require.Equal(t, []int{0, 1, 2, 3, 4}, got)
	require.Equal(t, []call{{0, 0}, {1, 1}, {2, 2}, {3, 0}, {4, 1}}, calls)
}

func TestReadyMadeExtremes(t *testing.T) {
	const n = 1000
	all := seq(n)
	twice := make([]int, 0, 2*n)
	for i := range n {
		twice = append(twice, i, i)
	}
	tests := []struct {
		name   string
		script rt.Script
		want   []int
	}{
		{"Drop(0)", rt.Drop(0, 1), all},
		{"Drop(1)", rt.Drop(1, 1), nil},
		{"Duplicate(0)", rt.Duplicate(0, 1), all},
		{"Duplicate(1)", rt.Duplicate(1, 1), twice},
		{"Reorder(1)", rt.Reorder(1, 1), all},
		{"Delay(0)", rt.Delay(0), all},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := run(t, tc.script, n)
			require.Equal(t, tc.want, got)
		})
	}
}

// TestReorderPermutesWindows checks that Reorder delivers each window of
// events as a permutation of that window, and does reorder.
func TestReorderPermutesWindows(t *testing.T) {
	for _, w := range []int{2, 3, 8, 100} {
		n := 50 * w
		got, st := run(t, rt.Reorder(w, 7), n)
		require.Len(t, got, n)
		require.Equal(t, uint64(n), st.Held)
		require.NotEqual(t, seq(n), got, "window %d did not reorder", w)
		for k := 0; k < n; k += w {
			win := slices.Clone(got[k : k+w])
			slices.Sort(win)
			require.Equal(t, seq(n)[k:k+w], win, "window %d at %d", w, k)
		}
	}
}

// TestReorderHoldsIncompleteWindow checks that the last, incomplete window
// waits for Flush.
func TestReorderHoldsIncompleteWindow(t *testing.T) {
	rec := rt.NewRecorder[int]("sink")
	f := rt.NewFaulty(rec, rt.Reorder(4, 1))
	for i := range 10 {
		require.NoError(t, f.Send(i))
	}
	require.Equal(t, 8, rec.Len())
	require.Equal(t, 2, f.Stats().Pending)
	f.Flush()
	got := rec.Events()
	require.ElementsMatch(t, []int{8, 9}, got[8:])
	require.Zero(t, f.Stats().Pending)
}

// TestReorderIsUniform checks that every permutation of a window of 3 is
// about equally likely: 6 permutations, 60,000 windows.
func TestReorderIsUniform(t *testing.T) {
	const windows = 60000
	got, _ := run(t, rt.Reorder(3, 11), 3*windows)
	freq := map[[3]int]int{}
	for k := 0; k < len(got); k += 3 {
		freq[[3]int{got[k] - k, got[k+1] - k, got[k+2] - k}]++
	}
	require.Len(t, freq, 6)
	for p, c := range freq {
		// expected 10,000 each; sd ~ 91; allow 5 sd.
		require.InDelta(t, windows/6, c, 460, "permutation %v", p)
	}
}

func TestInvalidArgumentsPanic(t *testing.T) {
	tests := []struct {
		name string
		f    func()
		msg  string
	}{
		{"Drop below 0", func() { rt.Drop(-0.1, 1) }, "reactortest: Drop probability out of [0, 1]"},
		{"Drop above 1", func() { rt.Drop(1.5, 1) }, "reactortest: Drop probability out of [0, 1]"},
		{"Drop NaN", func() { rt.Drop(math.NaN(), 1) }, "reactortest: Drop probability out of [0, 1]"},
		{"Duplicate above 1", func() { rt.Duplicate(2, 1) }, "reactortest: Duplicate probability out of [0, 1]"},
		{"Reorder 0", func() { rt.Reorder(0, 1) }, "reactortest: Reorder window < 1"},
		{"negative Delay", func() { rt.Delay(-1) }, "reactortest: negative Delay"},
		{"Jitter 0", func() { rt.Jitter(0, 1) }, "reactortest: Jitter limit <= 0"},
		{"nil Func", func() { rt.Func(nil) }, "reactortest: nil ScriptFunc"},
		{"nil Clock", func() { rt.WithClock(nil) }, "reactortest: nil Clock"},
		{"nil target", func() { rt.NewFaulty[int](nil, rt.Script{}) }, "reactortest: nil target"},
		{"negative Advance", func() { rt.NewManualClock().Advance(-1) }, "reactortest: ManualClock.Advance with negative duration"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.PanicsWithValue(t, tc.msg, tc.f)
		})
	}
}
