package events_test

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
)

func TestSignalSetAndChanges(t *testing.T) {
	s := events.NewSignal(1)
	require.Equal(t, 1, s.Get())
	var got []int
	sub := s.Changes().OnEvent(func(v int) { got = append(got, v) })
	s.Set(2)
	s.Set(2)
	s.Set(3)
	sub.Unsubscribe()
	s.Set(4)
	require.Equal(t, []int{2, 2, 3}, got)
	require.Equal(t, 4, s.Get())
	done := false
	s.Changes().OnDone(func() { done = true })
	s.Unsubscribe()
	require.True(t, done)
	require.True(t, s.Done())
	s.Set(5) // completed: ignored
	require.Equal(t, 4, s.Get())
}

func TestToSignalFollowsStream(t *testing.T) {
	var e events.Emitter[string]
	s := e.Events().ToSignal("init")
	var errs []error
	s.Changes().OnError(func(err error) { errs = append(errs, err) })
	require.Equal(t, "init", s.Get())
	e.Emit("a")
	require.Equal(t, "a", s.Get())
	e.EmitError(errors.New("x"))
	require.Len(t, errs, 1)
	e.Close()
	require.True(t, s.Done())
	require.Equal(t, "a", s.Get())

	// Unsubscribe detaches from the source.
	var e2 events.Emitter[int]
	s2 := e2.Events().ToSignal(0)
	s2.Unsubscribe()
	e2.Emit(9)
	require.Equal(t, 0, s2.Get())
	require.False(t, e2.HasSubscribers())

	// A completed source: the signal completes during construction.
	var iv events.IVar[int]
	iv.Set(7)
	s3 := iv.Events().ToSignal(0)
	require.Equal(t, 7, s3.Get())
	require.True(t, s3.Done())
}

func TestZipSignals(t *testing.T) {
	a, b := events.NewSignal(1), events.NewSignal("x")
	z := events.ZipSignals(a, b, func(n int, s string) string { return s + string(rune('0'+n)) })
	require.Equal(t, "x1", z.Get())
	var got []string
	z.Changes().OnEvent(func(v string) { got = append(got, v) })
	a.Set(2)
	b.Set("y")
	require.Equal(t, []string{"x2", "y2"}, got)
	a.Unsubscribe()
	require.False(t, z.Done())
	b.Unsubscribe()
	require.True(t, z.Done())
}

// TestAggregateMatchesFold changes random inputs of an aggregate and checks
// it against a plain left fold, with a non-commutative operation (string
// concatenation) so that the order of the inputs counts.
func TestAggregateMatchesFold(t *testing.T) {
	for _, n := range []int{1, 2, 3, 5, 8, 13} {
		ins := make([]*events.Signal[string], n)
		for i := range ins {
			ins[i] = events.NewSignal(string(rune('a' + i)))
		}
		agg := events.Aggregate(ins, func(x, y string) string { return x + y })
		fold := func() string {
			s := ""
			for _, in := range ins {
				s += in.Get()
			}
			return s
		}
		require.Equal(t, fold(), agg.Get())
		r := rand.New(rand.NewPCG(1, uint64(n)))
		for range 50 {
			i := r.IntN(n)
			ins[i].Set(string(rune('A' + r.IntN(26))))
			require.Equal(t, fold(), agg.Get(), "n=%d", n)
		}
		for _, in := range ins {
			in.Unsubscribe()
		}
		require.True(t, agg.Done())
	}
	require.Panics(t, func() { events.Aggregate[int](nil, func(a, b int) int { return a + b }) })
}

// TestAggregateUpdateIsLogarithmic counts the calls of op per change.
func TestAggregateUpdateIsLogarithmic(t *testing.T) {
	const n = 1024
	ins := make([]*events.Signal[int], n)
	for i := range ins {
		ins[i] = events.NewSignal(1)
	}
	calls := 0
	agg := events.Aggregate(ins, func(a, b int) int { calls++; return a + b })
	require.Equal(t, n, agg.Get())
	calls = 0
	ins[500].Set(2)
	require.Equal(t, n+1, agg.Get())
	require.LessOrEqual(t, calls, 10) // log2(1024)
}
