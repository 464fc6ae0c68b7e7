package events_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
)

// The harness (transformRunTable, transformRec, the standard script
// 1 2 error(x) 2 3 3 4 done) is in transform_test.go.

func slicingLess(n int) func(int) bool { return func(v int) bool { return v < n } }

func TestSlicing(t *testing.T) {
	all := []string{"1", "2", "err:x", "2", "3", "3", "4", "done"}
	transformRunTable(t, []transformCase{
		{name: "Take", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.Take(3), r)
		}, want: []string{"1", "2", "err:x", "2", "done"}, early: true},
		{name: "Take exactly all", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.Take(6), r)
		}, want: all, early: true},
		{name: "Take more than all", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.Take(100), r)
		}, want: all},
		{name: "Take 0", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.Take(0), r)
		}, want: []string{"done"}},
		{name: "Take -1", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.Take(-1), r)
		}, want: []string{"done"}},
		{name: "Once", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.Once(), r)
		}, want: []string{"1", "done"}, early: true},
		{name: "Drop", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.Drop(2), r)
		}, want: []string{"err:x", "2", "3", "3", "4", "done"}},
		{name: "Drop 0", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.Drop(0), r)
		}, want: all},
		{name: "Drop all", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.Drop(10), r)
		}, want: []string{"err:x", "done"}},
		{name: "TakeWhile", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.TakeWhile(slicingLess(3)), r)
		}, want: []string{"1", "2", "err:x", "2", "done"}, early: true},
		{name: "TakeWhile first fails", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.TakeWhile(slicingLess(0)), r)
		}, want: []string{"done"}, early: true},
		{name: "TakeWhile all pass", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.TakeWhile(slicingLess(10)), r)
		}, want: all},
		{name: "DropWhile", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.DropWhile(slicingLess(3)), r)
		}, want: []string{"err:x", "3", "3", "4", "done"}},
		{name: "DropWhile stops testing", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.DropWhile(slicingLess(2)), r) // the second 1 < 2 would be dropped if p were still called
		}, want: []string{"2", "err:x", "2", "3", "3", "4", "done"}},
		{name: "Last", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.Last(), r)
		}, want: []string{"err:x", "4", "done"}},
		{name: "Every 2", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.Every(2), r)
		}, want: []string{"2", "err:x", "3", "4", "done"}},
		{name: "Every 1", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.Every(1), r)
		}, want: all},
		{name: "Batch 2", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(events.Batch(s, 2), r)
		}, want: []string{"[1 2]", "err:x", "[2 3]", "[3 4]", "done"}},
		{name: "Batch 4", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(events.Batch(s, 4), r)
		}, want: []string{"err:x", "[1 2 2 3]", "[3 4]", "done"}},
		{name: "Batch 1", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(events.Batch(s, 1), r)
		}, want: []string{"[1]", "[2]", "err:x", "[2]", "[3]", "[3]", "[4]", "done"}},
		{name: "Batch larger than the stream", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(events.Batch(s, 5000), r)
		}, want: []string{"err:x", "[1 2 2 3 3 4]", "done"}},
		{name: "Sliding 2", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(events.Sliding(s, 2), r)
		}, want: []string{"[1]", "[1 2]", "err:x", "[2 2]", "[2 3]", "[3 3]", "[3 4]", "done"}},
		{name: "Sliding 3", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(events.Sliding(s, 3), r)
		}, want: []string{"[1]", "[1 2]", "err:x", "[1 2 2]", "[2 2 3]", "[2 3 3]", "[3 3 4]", "done"}},
		{name: "Sliding 1", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(events.Sliding(s, 1), r)
		}, want: []string{"[1]", "[2]", "err:x", "[2]", "[3]", "[3]", "[4]", "done"}},
		{name: "Partition matching", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			even, _ := s.Partition(transformEven)
			return transformTo(even, r)
		}, want: []string{"2", "err:x", "2", "4", "done"}},
		{name: "Partition non-matching", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			_, odd := s.Partition(transformEven)
			return transformTo(odd, r)
		}, want: []string{"1", "err:x", "3", "3", "done"}},
		{name: "Take of Drop of Batch", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(events.Batch(s, 2).Drop(1).Take(1), r)
		}, want: []string{"err:x", "[2 3]", "done"}, early: true},
	})
}

func TestSlicingEndsEarlyAndReleasesTheSource(t *testing.T) {
	for name, take := range map[string]func(events.Events[int]) events.Events[int]{
		"Take":      func(e events.Events[int]) events.Events[int] { return e.Take(2) },
		"Once":      func(e events.Events[int]) events.Events[int] { return e.Drop(1).Once() },
		"TakeWhile": func(e events.Events[int]) events.Events[int] { return e.TakeWhile(slicingLess(2)) },
	} {
		t.Run(name, func(t *testing.T) {
			var em events.Emitter[int]
			r := &transformRec{t: t}
			transformTo(take(em.Events()), r)
			em.Emit(1)
			require.True(t, em.HasSubscribers())
			em.Emit(2)
			require.False(t, em.HasSubscribers(), "done and released at the deciding event")
			require.Equal(t, "done", r.got[len(r.got)-1])
			em.Emit(3)
			em.Close()
		})
	}

	t.Run("Take 0 never subscribes", func(t *testing.T) {
		src := &slicingCountingSource{}
		r := &transformRec{t: t}
		transformTo(events.From[int](src).Take(0), r)
		require.Zero(t, src.subscribed)
		require.Equal(t, []string{"done"}, r.got)
	})
}

type slicingCountingSource struct{ subscribed int }

func (s *slicingCountingSource) Subscribe(events.Observer[int]) events.Subscription {
	s.subscribed++
	return events.Nop()
}

func TestSlicingReentrant(t *testing.T) {
	t.Run("Take counts a nested event", func(t *testing.T) {
		var em events.Emitter[int]
		r := &transformRec{t: t}
		em.Events().Take(2).Subscribe(&events.Funcs[int]{
			Event: func(v int) {
				r.add(strconv.Itoa(v))
				em.Emit(v + 1)
			},
			Done: func() { r.add("done"); r.done = true },
		})
		em.Emit(1)
		em.Emit(7)
		require.Equal(t, []string{"1", "2", "done"}, r.got)
		require.False(t, em.HasSubscribers())
	})

	t.Run("Batch starts a new group for a nested event", func(t *testing.T) {
		var em events.Emitter[int]
		var got [][]int
		events.Batch(em.Events(), 2).OnEvent(func(b []int) {
			got = append(got, b)
			if b[0] == 1 {
				em.Emit(3)
			}
		})
		em.Emit(1)
		em.Emit(2)
		em.Emit(4)
		require.Equal(t, [][]int{{1, 2}, {3, 4}}, got)
	})

	t.Run("Last when unsubscribed in the last event", func(t *testing.T) {
		var em events.Emitter[int]
		var sub events.Subscription
		var got []int
		sub = em.Events().Last().OnEventOrDone(func(v int) {
			got = append(got, v)
			sub.Unsubscribe()
		}, func() { t.Fatal("done after unsubscribing") })
		em.Emit(1)
		em.Emit(2)
		em.Close()
		require.Equal(t, []int{2}, got)
	})
}

func TestSlicingSlicesAreFresh(t *testing.T) {
	var em events.Emitter[int]
	var batches, windows [][]int
	events.Batch(em.Events(), 3).OnEvent(func(b []int) {
		batches = append(batches, b)
		b[0] = -1 // the receiver owns the slice
		_ = append(b, -2)
	})
	events.Sliding(em.Events(), 2).OnEvent(func(w []int) {
		windows = append(windows, w)
		w[len(w)-1] *= 10
		_ = append(w[:1], -3)
	})
	for v := 1; v <= 7; v++ {
		em.Emit(v)
	}
	em.Close()
	require.Equal(t, [][]int{{-1, 2, 3}, {-1, 5, 6}, {-1}}, batches)
	// Each window shows the receiver's own writes only; the next window
	// still starts from the true previous event.
	require.Equal(t, [][]int{{10}, {1, -3}, {2, -3}, {3, -3}, {4, -3}, {5, -3}, {6, -3}}, windows)
}

func TestSlicingPanicsOnBadSizes(t *testing.T) {
	var e events.Events[int]
	require.PanicsWithValue(t, "events: Batch needs n >= 1", func() { events.Batch(e, 0) })
	require.PanicsWithValue(t, "events: Sliding needs n >= 1", func() { events.Sliding(e, -1) })
	require.PanicsWithValue(t, "events: Every needs n >= 1", func() { e.Every(0) })
}

func TestSlicingEmptyStream(t *testing.T) {
	var em events.Emitter[int]
	last, batch := &transformRec{t: t}, &transformRec{t: t}
	transformTo(em.Events().Last(), last)
	transformTo(events.Batch(em.Events(), 2), batch)
	em.Close()
	require.Equal(t, []string{"done"}, last.got)
	require.Equal(t, []string{"done"}, batch.got)
}

// TestSlicingForwardingDoesNotAllocate checks that the selecting
// combinators forward an event without allocating.
func TestSlicingForwardingDoesNotAllocate(t *testing.T) {
	chains := map[string]func(events.Events[int]) events.Events[int]{
		"Take":      func(e events.Events[int]) events.Events[int] { return e.Take(1 << 30) },
		"Drop":      func(e events.Events[int]) events.Events[int] { return e.Drop(1) },
		"TakeWhile": func(e events.Events[int]) events.Events[int] { return e.TakeWhile(slicingLess(1 << 30)) },
		"DropWhile": func(e events.Events[int]) events.Events[int] { return e.DropWhile(slicingLess(0)) },
		"Last":      func(e events.Events[int]) events.Events[int] { return e.Last() },
		"Every":     func(e events.Events[int]) events.Events[int] { return e.Every(2) },
		"Partition": func(e events.Events[int]) events.Events[int] { _, odd := e.Partition(transformEven); return odd },
	}
	for name, chain := range chains {
		var em events.Emitter[int]
		n := 0
		chain(em.Events()).OnEvent(func(int) { n++ })
		require.Zero(t, testing.AllocsPerRun(100, func() { em.Emit(1); em.Emit(2) }), name)
	}
}
