package events_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
)

// nestedSources returns a completed IVar, a completed empty stream and a
// source that completes during Subscribe with a handle to release: the
// nested streams of Reactors.IO bug #64.
func nestedSources() (events.Events[int], events.Events[int], *combineSyncSource[int]) {
	return combineSet(1), combineClosed[int](), combineSync(2, 3)
}

// nestedBug64 is the case of Reactors.IO bug #64 for a combinator that
// forwards every nested stream: nested streams that complete during their
// own subscription are merged in order and released.
func nestedBug64(op func(events.Events[events.Events[int]]) events.Events[int]) combineCase[int] {
	return combineCase[int]{"bug 64: nested streams complete during Subscribe", func(t *testing.T, r *combineRec[int]) {
		var outer events.Emitter[events.Events[int]]
		iv, empty, s := nestedSources()
		r.attach(op(outer.Events()))
		outer.Emit(iv)
		outer.Emit(empty)
		outer.Emit(s.events())
		outer.Close()
		s.released(t)
	}, []string{"1", "2", "3", "done"}}
}

func TestFlatten(t *testing.T) {
	combineRun(t, []combineCase[int]{
		{"merges every nested stream", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var a, b events.Emitter[int]
			r.attach(events.Flatten(outer.Events()))
			b.Emit(0) // not emitted by outer yet
			outer.Emit(a.Events())
			a.Emit(1)
			outer.Emit(b.Events())
			b.Emit(2)
			a.Emit(3)
			a.Close()
			outer.Close()
			b.Emit(4)
			b.Close()
		}, []string{"1", "2", "3", "4", "done"}},
		{"errors of outer and nested streams", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var a events.Emitter[int]
			r.attach(events.Flatten(outer.Events()))
			outer.EmitError(errCombine)
			outer.Emit(a.Events())
			a.EmitError(errors.New("y"))
		}, []string{"err:x", "err:y"}},
		{"a stream emitted twice", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var a events.Emitter[int]
			r.attach(events.Flatten(outer.Events()))
			outer.Emit(a.Events())
			outer.Emit(a.Events())
			a.Emit(1)
		}, []string{"1", "1"}},
		nestedBug64(events.Flatten[int]),
		{"outer completes during Subscribe", func(t *testing.T, r *combineRec[int]) {
			r.attach(events.Flatten(combineSet(combineSet(7))))
		}, []string{"7", "done"}},
		{"unsubscribe from a handler", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var a, b events.Emitter[int]
			r.stopAt = "2"
			r.attach(events.Flatten(outer.Events()))
			outer.Emit(a.Events())
			outer.Emit(b.Events())
			a.Emit(1)
			b.Emit(2)
			a.Emit(3)
			combineIdle(t, &a, &b)
			combineIdle(t, &outer)
		}, []string{"1", "2"}},
		{"nested stream emitted from a handler", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var a events.Emitter[int]
			r.hook = func(v int) {
				if v == 1 {
					outer.Emit(combineSet(2))
					outer.Close()
				}
			}
			r.attach(events.Flatten(outer.Events()))
			outer.Emit(a.Events())
			a.Emit(1)
			a.Close()
		}, []string{"1", "2", "done"}},
	})
}

func TestMux(t *testing.T) {
	combineRun(t, []combineCase[int]{
		{"switches to the latest stream", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var a, b events.Emitter[int]
			r.attach(events.Mux(outer.Events()))
			outer.Emit(a.Events())
			a.Emit(1)
			b.Emit(9)
			outer.Emit(b.Events())
			combineIdle(t, &a)
			a.Emit(2)
			b.Emit(3)
			outer.Close()
			b.Emit(4)
			b.Close()
		}, []string{"1", "3", "4", "done"}},
		{"done when outer and current are done", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var a events.Emitter[int]
			r.attach(events.Mux(outer.Events()))
			outer.Emit(a.Events())
			a.EmitError(errCombine)
			a.Close()
			outer.EmitError(errors.New("y"))
			outer.Close()
		}, []string{"err:x", "err:y", "done"}},
		nestedBug64(events.Mux[int]),
		{"switch from a handler of the current stream", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var a, b events.Emitter[int]
			r.hook = func(v int) {
				if v == 1 {
					outer.Emit(b.Events())
				}
			}
			r.attach(events.Mux(outer.Events()))
			outer.Emit(a.Events())
			a.Emit(1)
			a.Emit(2)
			b.Emit(3)
			combineIdle(t, &a)
		}, []string{"1", "3"}},
		{"switch while a stream is being subscribed", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var b events.Emitter[int]
			s := combineSync(1, 2)
			r.hook = func(v int) {
				if v == 1 {
					outer.Emit(b.Events()) // s is still in its Subscribe
				}
			}
			r.attach(events.Mux(outer.Events()))
			outer.Emit(s.events())
			b.Emit(3)
			s.released(t)
		}, []string{"1", "3"}},
		{"unsubscribe from a handler", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var a events.Emitter[int]
			r.stopAt = "1"
			r.attach(events.Mux(outer.Events()))
			outer.Emit(a.Events())
			a.Emit(1)
			a.Emit(2)
			combineIdle(t, &a)
			combineIdle(t, &outer)
		}, []string{"1"}},
	})
}

func TestFirst(t *testing.T) {
	combineRun(t, []combineCase[int]{
		{"forwards the first stream that emits", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var a, b events.Emitter[int]
			r.attach(events.First(outer.Events()))
			outer.Emit(a.Events())
			outer.Emit(b.Events())
			a.EmitError(errCombine) // before the choice: forwarded
			b.Emit(1)
			combineIdle(t, &a)
			combineIdle(t, &outer)
			a.Emit(2)
			b.Emit(3)
			b.Close()
		}, []string{"err:x", "1", "3", "done"}},
		{"no stream emits", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var a events.Emitter[int]
			r.attach(events.First(outer.Events()))
			outer.Emit(a.Events())
			outer.Close()
			a.Close()
		}, []string{"done"}},
		{"bug 64: nested streams complete during Subscribe", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			_, empty, s := nestedSources()
			r.attach(events.First(outer.Events()))
			outer.Emit(empty)
			outer.Emit(s.events())
			s.released(t)
			combineIdle(t, &outer)
		}, []string{"2", "3", "done"}},
		{"a completed IVar is chosen at once", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var a events.Emitter[int]
			r.attach(events.First(outer.Events()))
			outer.Emit(a.Events())
			outer.Emit(combineSet(5))
			combineIdle(t, &a)
			combineIdle(t, &outer)
		}, []string{"5", "done"}},
		{"unsubscribe from a handler", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var a events.Emitter[int]
			r.stopAt = "1"
			r.attach(events.First(outer.Events()))
			outer.Emit(a.Events())
			a.Emit(1)
			a.Emit(2)
			combineIdle(t, &a)
		}, []string{"1"}},
		{"unsubscribe before the choice", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var a, b events.Emitter[int]
			r.attach(events.First(outer.Events()))
			outer.Emit(a.Events())
			outer.Emit(b.Events())
			r.sub.Unsubscribe()
			combineIdle(t, &a, &b)
			combineIdle(t, &outer)
		}, nil},
	})
}

func TestConcatAll(t *testing.T) {
	combineRun(t, []combineCase[int]{
		{"one stream after another", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var a, b, c events.Emitter[int]
			r.attach(events.ConcatAll(outer.Events()))
			outer.Emit(a.Events())
			outer.Emit(b.Events())
			outer.Emit(c.Events())
			c.Emit(20)
			b.Emit(10)
			b.EmitError(errCombine) // errors are not buffered
			b.Close()
			a.Emit(1)
			a.Close()
			c.Emit(21)
			outer.Close()
			c.Close()
		}, []string{"err:x", "1", "10", "20", "21", "done"}},
		nestedBug64(events.ConcatAll[int]),
		{"completed streams behind a live one", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var a events.Emitter[int]
			s := combineSync(2, 3)
			r.attach(events.ConcatAll(outer.Events()))
			outer.Emit(a.Events())
			outer.Emit(s.events())
			outer.Emit(combineSet(4))
			s.released(t)
			a.Emit(1)
			outer.Close()
			a.Close()
		}, []string{"1", "2", "3", "4", "done"}},
		{"emission during the flush keeps the order", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var a, b events.Emitter[int]
			r.hook = func(v int) {
				if v == 10 {
					b.Emit(12)
					outer.Emit(combineSet(30))
				}
			}
			r.attach(events.ConcatAll(outer.Events()))
			outer.Emit(a.Events())
			outer.Emit(b.Events())
			b.Emit(10)
			b.Emit(11)
			a.Close()
			b.Emit(13)
			b.Close()
		}, []string{"10", "11", "12", "13", "30"}},
		{"unsubscribe from a handler during the flush", func(t *testing.T, r *combineRec[int]) {
			var outer events.Emitter[events.Events[int]]
			var a, b events.Emitter[int]
			r.stopAt = "10"
			r.attach(events.ConcatAll(outer.Events()))
			outer.Emit(a.Events())
			outer.Emit(b.Events())
			b.Emit(10)
			b.Emit(11)
			a.Close()
			combineIdle(t, &a, &b)
			combineIdle(t, &outer)
		}, []string{"10"}},
	})
}

func TestGroupBy(t *testing.T) {
	parity := func(v int) string {
		if v%2 == 0 {
			return "even"
		}
		return "odd"
	}
	// follow subscribes to every group as it appears and logs all.
	follow := func(log *[]string) events.Observer[events.Group[string, int]] {
		return &events.Funcs[events.Group[string, int]]{
			Event: func(g events.Group[string, int]) {
				*log = append(*log, "group:"+g.Key)
				g.Events.OnEventOrDone(
					func(v int) { *log = append(*log, fmt.Sprint(g.Key, ":", v)) },
					func() { *log = append(*log, g.Key+":done") })
			},
			Error: func(err error) { *log = append(*log, "err:"+err.Error()) },
			Done:  func() { *log = append(*log, "done") },
		}
	}
	cases := []struct {
		name string
		run  func(t *testing.T, log *[]string)
		want []string
	}{
		{"groups by key", func(t *testing.T, log *[]string) {
			var e events.Emitter[int]
			events.GroupBy(e.Events(), parity).Subscribe(follow(log))
			e.Emit(3)
			e.Emit(5)
			e.EmitError(errCombine)
			e.Emit(4)
			e.Close()
		}, []string{"group:odd", "odd:3", "odd:5", "err:x", "group:even", "even:4",
			"odd:done", "even:done", "done"}},
		{"groups are hot", func(t *testing.T, log *[]string) {
			var e events.Emitter[int]
			var odd events.Events[int]
			events.GroupBy(e.Events(), parity).OnEvent(func(g events.Group[string, int]) { odd = g.Events })
			e.Emit(1) // nobody observes the group yet: lost
			odd.OnEvent(func(v int) { *log = append(*log, fmt.Sprint(v)) })
			e.Emit(3)
		}, []string{"3"}},
		{"e completes during Subscribe", func(t *testing.T, log *[]string) {
			s := combineSync(1, 2, 3)
			events.GroupBy(s.events(), parity).Subscribe(follow(log))
			s.released(t)
		}, []string{"group:odd", "odd:1", "group:even", "even:2", "odd:3",
			"odd:done", "even:done", "done"}},
		{"unsubscribe completes the groups", func(t *testing.T, log *[]string) {
			var e events.Emitter[int]
			sub := events.GroupBy(e.Events(), parity).Subscribe(follow(log))
			e.Emit(1)
			sub.Unsubscribe()
			combineIdle(t, &e)
			e.Emit(3)
		}, []string{"group:odd", "odd:1", "odd:done"}},
		{"unsubscribe from a group handler", func(t *testing.T, log *[]string) {
			var e events.Emitter[int]
			var sub events.Subscription
			sub = events.GroupBy(e.Events(), parity).OnEvent(func(g events.Group[string, int]) {
				g.Events.OnEventOrDone(func(v int) {
					*log = append(*log, fmt.Sprint(v))
					sub.Unsubscribe()
				}, func() { *log = append(*log, "group done") })
			})
			e.Emit(1)
			e.Emit(3)
			combineIdle(t, &e)
		}, []string{"1", "group done"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var log []string
			c.run(t, &log)
			require.Equal(t, c.want, log)
		})
	}
}

func TestNestedForwardingDoesNotAllocate(t *testing.T) {
	var outer events.Emitter[events.Events[int]]
	var a events.Emitter[int]
	sum := 0
	f := func(v int) { sum += v }
	events.Flatten(outer.Events()).OnEvent(f)
	events.Mux(outer.Events()).OnEvent(f)
	events.ConcatAll(outer.Events()).OnEvent(f)
	events.First(outer.Events()).OnEvent(f)
	outer.Emit(a.Events())
	require.Zero(t, testing.AllocsPerRun(100, func() { a.Emit(1) }))
}

func ExampleFlatten() {
	var streams events.Emitter[events.Events[string]]
	var a, b events.Emitter[string]
	events.Flatten(streams.Events()).OnEvent(func(s string) { fmt.Println(s) })
	streams.Emit(a.Events())
	streams.Emit(b.Events())
	a.Emit("from a")
	b.Emit("from b")
	// Output:
	// from a
	// from b
}

func ExampleMux() {
	var current events.Emitter[events.Events[string]]
	var a, b events.Emitter[string]
	events.Mux(current.Events()).OnEvent(func(s string) { fmt.Println(s) })
	current.Emit(a.Events())
	a.Emit("a1")
	current.Emit(b.Events())
	a.Emit("a2") // a is no longer current
	b.Emit("b1")
	// Output:
	// a1
	// b1
}

func ExampleGroupBy() {
	var words events.Emitter[string]
	first := func(s string) byte { return s[0] }
	events.GroupBy(words.Events(), first).OnEvent(func(g events.Group[byte, string]) {
		g.Events.OnEvent(func(w string) { fmt.Printf("%c: %s\n", g.Key, w) })
	})
	words.Emit("apple")
	words.Emit("banana")
	words.Emit("avocado")
	// Output:
	// a: apple
	// b: banana
	// a: avocado
}

// nestedScript drives the inputs of TestUnsubscribeAtEveryEvent.
func nestedScript(outer *events.Emitter[events.Events[int]], a, b *events.Emitter[int]) {
	outer.Emit(a.Events())
	outer.Emit(b.Events())
	outer.Emit(combineSet(5))
	a.Emit(1)
	b.Emit(2)
	b.Emit(3)
	a.Emit(4)
	b.EmitError(errCombine)
	b.Emit(5)
	b.Close()
	a.Emit(6)
	outer.Close()
	a.Emit(7)
	a.Close()
}

// nestedUnsubAt runs nestedScript through the stream build makes,
// unsubscribing from inside the handler of the k-th event, for every k.
func nestedUnsubAt[T any](t *testing.T, build func(ee events.Events[events.Events[int]], a, b events.Events[int]) events.Events[T]) {
	for k := 1; ; k++ {
		var outer events.Emitter[events.Events[int]]
		var a, b events.Emitter[int]
		var sub events.Subscription
		n, after := 0, 0
		sub = build(outer.Events(), a.Events(), b.Events()).Subscribe(&events.Funcs[T]{
			Event: func(T) {
				if n++; n == k {
					sub.Unsubscribe()
				} else if n > k {
					after++
				}
			},
			Error: func(error) {},
			Done:  func() { after++ },
		})
		nestedScript(&outer, &a, &b)
		if n < k {
			require.Greater(t, k, 1, "the script must emit something")
			return
		}
		require.Zero(t, after, "k=%d: something followed the unsubscription", k)
		combineIdle(t, &a, &b)
		combineIdle(t, &outer)
	}
}

// TestUnsubscribeAtEveryEvent unsubscribes every combinator of combine.go
// and nested.go from inside the handler of each event in turn: nothing
// may follow, nothing may panic, and no upstream may stay subscribed.
func TestUnsubscribeAtEveryEvent(t *testing.T) {
	type ee = events.Events[events.Events[int]]
	type e = events.Events[int]
	sum := func(x, y int) int { return x + y }
	t.Run("Union", func(t *testing.T) { nestedUnsubAt(t, func(_ ee, a, b e) e { return a.Union(b) }) })
	t.Run("Concat", func(t *testing.T) { nestedUnsubAt(t, func(_ ee, a, b e) e { return a.Concat(b) }) })
	t.Run("Zip", func(t *testing.T) { nestedUnsubAt(t, func(_ ee, a, b e) e { return events.Zip(a, b, sum) }) })
	t.Run("ZipAll", func(t *testing.T) {
		nestedUnsubAt(t, func(_ ee, a, b e) events.Events[[]int] { return events.ZipAll(a, b, a) })
	})
	t.Run("After", func(t *testing.T) { nestedUnsubAt(t, func(_ ee, a, b e) e { return events.After(a, b) }) })
	t.Run("Until", func(t *testing.T) { nestedUnsubAt(t, func(_ ee, a, b e) e { return events.Until(a.Union(b), b) }) })
	t.Run("Defer", func(t *testing.T) { nestedUnsubAt(t, func(_ ee, a, b e) e { return events.Defer(a, b) }) })
	t.Run("Flatten", func(t *testing.T) { nestedUnsubAt(t, func(o ee, _, _ e) e { return events.Flatten(o) }) })
	t.Run("Mux", func(t *testing.T) { nestedUnsubAt(t, func(o ee, _, _ e) e { return events.Mux(o) }) })
	t.Run("First", func(t *testing.T) { nestedUnsubAt(t, func(o ee, _, _ e) e { return events.First(o) }) })
	t.Run("ConcatAll", func(t *testing.T) { nestedUnsubAt(t, func(o ee, _, _ e) e { return events.ConcatAll(o) }) })
	t.Run("GroupBy", func(t *testing.T) {
		nestedUnsubAt(t, func(_ ee, a, b e) events.Events[events.Group[bool, int]] {
			return events.GroupBy(a.Union(b), func(v int) bool { return v%2 == 0 })
		})
	})
	t.Run("nested", func(t *testing.T) {
		nestedUnsubAt(t, func(o ee, a, b e) e {
			return events.Mux(combineSet(events.ConcatAll(combineSet(events.Flatten(o).Concat(events.Zip(a, b, sum))))))
		})
	})
}
