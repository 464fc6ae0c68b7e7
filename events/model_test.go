package events_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
)

// stage is one step of a random pipeline: the combinator applied to a
// stream, and the same step computed on a plain slice (the model). Every
// model stage sees the whole input and the source's completion.
type stage struct {
	name  string
	apply func(events.Events[int]) events.Events[int]
	model func([]int) []int
}

func modelStages(r *rand.Rand) []stage {
	k := 1 + r.IntN(5)
	return []stage{
		{"map", func(e events.Events[int]) events.Events[int] {
			return events.Map(e, func(x int) int { return 3*x + 1 })
		}, func(xs []int) (out []int) {
			for _, x := range xs {
				out = append(out, 3*x+1)
			}
			return out
		}},
		{"filter", func(e events.Events[int]) events.Events[int] {
			return e.Filter(func(x int) bool { return x%2 == 0 })
		}, func(xs []int) (out []int) {
			for _, x := range xs {
				if x%2 == 0 {
					out = append(out, x)
				}
			}
			return out
		}},
		{fmt.Sprintf("take(%d)", k), func(e events.Events[int]) events.Events[int] { return e.Take(k) },
			func(xs []int) []int { return xs[:min(k, len(xs))] }},
		{fmt.Sprintf("drop(%d)", k), func(e events.Events[int]) events.Events[int] { return e.Drop(k) },
			func(xs []int) []int { return xs[min(k, len(xs)):] }},
		{"takeWhile(<300)", func(e events.Events[int]) events.Events[int] {
			return e.TakeWhile(func(x int) bool { return x < 300 })
		}, func(xs []int) []int {
			for i, x := range xs {
				if x >= 300 {
					return xs[:i]
				}
			}
			return xs
		}},
		{"dropWhile(<50)", func(e events.Events[int]) events.Events[int] {
			return e.DropWhile(func(x int) bool { return x < 50 })
		}, func(xs []int) []int {
			for i, x := range xs {
				if x >= 50 {
					return xs[i:]
				}
			}
			return nil
		}},
		{"scan(+)", func(e events.Events[int]) events.Events[int] {
			return events.Scan(e, 0, func(a, x int) int { return a + x })
		}, func(xs []int) (out []int) {
			a := 0
			for _, x := range xs {
				a += x
				out = append(out, a)
			}
			return out
		}},
		{"reduce(+)", func(e events.Events[int]) events.Events[int] {
			return events.Reduce(e, 0, func(a, x int) int { return a + x })
		}, func(xs []int) []int {
			a := 0
			for _, x := range xs {
				a += x
			}
			return []int{a}
		}},
		{"changed", func(e events.Events[int]) events.Events[int] { return events.Changed(e) },
			func(xs []int) (out []int) {
				for i, x := range xs {
					if i == 0 || x != xs[i-1] {
						out = append(out, x)
					}
				}
				return out
			}},
		{fmt.Sprintf("every(%d)", k), func(e events.Events[int]) events.Events[int] { return e.Every(k) },
			func(xs []int) (out []int) {
				for i, x := range xs {
					if (i+1)%k == 0 {
						out = append(out, x)
					}
				}
				return out
			}},
		{"once", func(e events.Events[int]) events.Events[int] { return e.Once() },
			func(xs []int) []int { return xs[:min(1, len(xs))] }},
		{"last", func(e events.Events[int]) events.Events[int] { return e.Last() },
			func(xs []int) []int {
				if len(xs) == 0 {
					return nil
				}
				return xs[len(xs)-1:]
			}},
		{"count", func(e events.Events[int]) events.Events[int] { return e.Count() },
			func(xs []int) (out []int) {
				for i := range xs {
					out = append(out, i+1)
				}
				return out
			}},
		{"flatMap(x,x+1)", func(e events.Events[int]) events.Events[int] {
			return events.FlatMap(e, func(x int) []int { return []int{x, x + 1} })
		}, func(xs []int) (out []int) {
			for _, x := range xs {
				out = append(out, x, x+1)
			}
			return out
		}},
		{fmt.Sprintf("batch(%d)+flatten", k), func(e events.Events[int]) events.Events[int] {
			return events.FlatMap(events.Batch(e, k), func(b []int) []int { return b })
		}, func(xs []int) []int { return xs }},
		{fmt.Sprintf("sliding(%d)+last", k), func(e events.Events[int]) events.Events[int] {
			return events.Map(events.Sliding(e, k), func(w []int) int { return w[len(w)-1] })
		}, func(xs []int) []int { return xs }},
		{"ignoreErrors", func(e events.Events[int]) events.Events[int] { return e.IgnoreErrors() },
			func(xs []int) []int { return xs }},
		{"union(empty)", func(e events.Events[int]) events.Events[int] {
			var never events.Emitter[int]
			never.Close()
			return e.Union(never.Events())
		}, func(xs []int) []int { return xs }},
		{"concat(single)", func(e events.Events[int]) events.Events[int] {
			var tail events.IVar[int]
			tail.Set(7)
			return e.Concat(tail.Events())
		}, func(xs []int) []int { return append(append([]int(nil), xs...), 7) }},
	}
}

// TestModelRandomPipelines builds random pipelines of combinators, feeds
// the same random input to the stream and to the slice model, and checks
// that the events, their order and the single completion agree.
func TestModelRandomPipelines(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 11))
	for trial := range 3000 {
		stages := modelStages(r)
		depth := 1 + r.IntN(5)
		input := make([]int, r.IntN(40))
		for i := range input {
			input[i] = r.IntN(100)
		}
		var src events.Emitter[int]
		e := src.Events()
		want := input
		var names []string
		for range depth {
			s := stages[r.IntN(len(stages))]
			names = append(names, s.name)
			e = s.apply(e)
			want = s.model(want)
		}
		var got []int
		dones := 0
		e.OnEventOrDone(func(v int) {
			require.Zero(t, dones, "event after done")
			got = append(got, v)
		}, func() { dones++ })
		for _, x := range input {
			src.Emit(x)
		}
		if dones == 1 {
			require.False(t, src.HasSubscribers(), "trial %d: %s: ended early but still subscribed upstream", trial, strings.Join(names, " | "))
		}
		src.Close()
		pipeline := strings.Join(names, " | ")
		require.Equal(t, 1, dones, "trial %d: %s: done count", trial, pipeline)
		if len(want) == 0 {
			require.Empty(t, got, "trial %d: %s on %v", trial, pipeline, input)
		} else {
			require.Equal(t, want, got, "trial %d: %s on %v", trial, pipeline, input)
		}
	}
}
