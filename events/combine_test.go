package events_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
)

// combineRec records what an observer sees, as strings. It is shared by
// the tests of combine.go, nested.go and pipe.go.
type combineRec[T any] struct {
	got    []string
	sub    events.Subscription
	stopAt string  // unsubscribe from inside the handler of this event
	hook   func(T) // runs inside the handler, after recording
}

func (r *combineRec[T]) OnEvent(v T) {
	s := fmt.Sprint(v)
	r.got = append(r.got, s)
	if r.hook != nil {
		r.hook(v)
	}
	if r.stopAt != "" && s == r.stopAt {
		r.sub.Unsubscribe()
	}
}

func (r *combineRec[T]) OnError(err error) { r.got = append(r.got, "err:"+err.Error()) }
func (r *combineRec[T]) OnDone()           { r.got = append(r.got, "done") }

// attach subscribes r to e.
func (r *combineRec[T]) attach(e events.Events[T]) { r.sub = e.Subscribe(r) }

// combineSyncSource emits its values, its error if any, and done while
// being subscribed to, and returns a handle that counts unsubscriptions:
// a combinator must release such a handle (Reactors.IO bug #64).
type combineSyncSource[T any] struct {
	vals   []T
	err    error
	subs   int
	unsubs int
}

func combineSync[T any](vals ...T) *combineSyncSource[T] {
	return &combineSyncSource[T]{vals: vals}
}

func (s *combineSyncSource[T]) Subscribe(o events.Observer[T]) events.Subscription {
	s.subs++
	for _, v := range s.vals {
		o.OnEvent(v)
	}
	if s.err != nil {
		o.OnError(s.err)
	}
	o.OnDone()
	return events.OnUnsubscribe(func() { s.unsubs++ })
}

func (s *combineSyncSource[T]) events() events.Events[T] { return events.From[T](s) }

// released checks that every handle s returned was unsubscribed.
func (s *combineSyncSource[T]) released(t *testing.T) {
	t.Helper()
	require.Positive(t, s.subs)
	require.Equal(t, s.subs, s.unsubs, "handles of a source that completed during Subscribe")
}

// combineSet returns a completed IVar's stream.
func combineSet[T any](v T) events.Events[T] {
	iv := new(events.IVar[T])
	iv.Set(v)
	return iv.Events()
}

// combineClosed returns a completed stream without events.
func combineClosed[T any]() events.Events[T] {
	em := new(events.Emitter[T])
	em.Close()
	return em.Events()
}

// combineIdle checks that nobody observes the emitters any more.
func combineIdle[T any](t *testing.T, ems ...*events.Emitter[T]) {
	t.Helper()
	for i, em := range ems {
		require.False(t, em.HasSubscribers(), "emitter %d still observed", i)
	}
}

type combineCase[T any] struct {
	name string
	run  func(t *testing.T, r *combineRec[T])
	want []string
}

func combineRun[T any](t *testing.T, cases []combineCase[T]) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := new(combineRec[T])
			c.run(t, r)
			require.Equal(t, c.want, r.got)
		})
	}
}

var errCombine = errors.New("x")

func TestUnion(t *testing.T) {
	combineRun(t, []combineCase[int]{
		{"interleaves and waits for all", func(t *testing.T, r *combineRec[int]) {
			var a, b events.Emitter[int]
			r.attach(a.Events().Union(b.Events()))
			a.Emit(1)
			b.Emit(2)
			a.EmitError(errCombine)
			a.Close()
			b.Emit(3)
			b.Close()
			a.Emit(4)
		}, []string{"1", "2", "err:x", "3", "done"}},
		{"Merge of three", func(t *testing.T, r *combineRec[int]) {
			var a, b, c events.Emitter[int]
			es := []events.Events[int]{a.Events(), b.Events(), c.Events()}
			m := events.Merge(es...)
			es[0] = c.Events() // Merge keeps its own copy
			r.attach(m)
			c.Emit(3)
			a.Emit(1)
			a.Close()
			b.Close()
			c.Emit(4)
			c.Close()
		}, []string{"3", "1", "4", "done"}},
		{"Merge of none completes at once", func(t *testing.T, r *combineRec[int]) {
			r.attach(events.Merge[int]())
		}, []string{"done"}},
		{"Merge of one", func(t *testing.T, r *combineRec[int]) {
			var a events.Emitter[int]
			r.attach(events.Merge(a.Events()))
			a.Emit(1)
			a.Close()
		}, []string{"1", "done"}},
		{"same stream twice", func(t *testing.T, r *combineRec[int]) {
			var a events.Emitter[int]
			r.attach(a.Events().Union(a.Events()))
			a.Emit(1)
			a.Close()
		}, []string{"1", "1", "done"}},
		{"inputs complete during Subscribe", func(t *testing.T, r *combineRec[int]) {
			s := combineSync(2, 3)
			r.attach(events.Merge(combineSet(1), combineClosed[int](), s.events()))
			s.released(t)
		}, []string{"1", "2", "3", "done"}},
		{"unsubscribe from a handler", func(t *testing.T, r *combineRec[int]) {
			var a, b events.Emitter[int]
			r.stopAt = "2"
			r.attach(a.Events().Union(b.Events()))
			a.Emit(1)
			b.Emit(2)
			a.Emit(3)
			b.Close()
			combineIdle(t, &a, &b)
		}, []string{"1", "2"}},
		{"unsubscribe", func(t *testing.T, r *combineRec[int]) {
			var a, b events.Emitter[int]
			r.attach(a.Events().Union(b.Events()))
			a.Emit(1)
			r.sub.Unsubscribe()
			r.sub.Unsubscribe()
			combineIdle(t, &a, &b)
			a.Close()
			b.Close()
		}, []string{"1"}},
		{"re-entrant emission", func(t *testing.T, r *combineRec[int]) {
			var a, b events.Emitter[int]
			r.hook = func(v int) {
				if v == 1 {
					b.Emit(2)
					a.Emit(3)
				}
			}
			r.attach(a.Events().Union(b.Events()))
			a.Emit(1)
		}, []string{"1", "2", "3"}},
	})
}

func TestConcat(t *testing.T) {
	combineRun(t, []combineCase[int]{
		{"buffers next until e completes", func(t *testing.T, r *combineRec[int]) {
			var a, b events.Emitter[int]
			r.attach(a.Events().Concat(b.Events()))
			b.Emit(10)
			a.Emit(1)
			b.Emit(11)
			a.Emit(2)
			a.Close()
			b.Emit(12)
			b.Close()
		}, []string{"1", "2", "10", "11", "12", "done"}},
		{"errors are not buffered", func(t *testing.T, r *combineRec[int]) {
			var a, b events.Emitter[int]
			r.attach(a.Events().Concat(b.Events()))
			b.Emit(10)
			b.EmitError(errCombine)
			a.EmitError(errCombine)
			a.Close()
		}, []string{"err:x", "err:x", "10"}},
		{"done after both, next first", func(t *testing.T, r *combineRec[int]) {
			var a, b events.Emitter[int]
			r.attach(a.Events().Concat(b.Events()))
			b.Emit(10)
			b.Close()
			a.Emit(1)
			a.Close()
		}, []string{"1", "10", "done"}},
		{"e completes during Subscribe", func(t *testing.T, r *combineRec[int]) {
			var b events.Emitter[int]
			r.attach(combineSet(1).Concat(b.Events()))
			b.Emit(2)
			b.Close()
		}, []string{"1", "2", "done"}},
		{"both complete during Subscribe", func(t *testing.T, r *combineRec[int]) {
			s1, s2 := combineSync(1, 2), combineSync(3)
			r.attach(s1.events().Concat(s2.events()))
			s1.released(t)
			s2.released(t)
		}, []string{"1", "2", "3", "done"}},
		{"emission during the flush keeps the order", func(t *testing.T, r *combineRec[int]) {
			var a, b events.Emitter[int]
			r.hook = func(v int) {
				switch v {
				case 10:
					b.Emit(13)
				case 13:
					b.Close() // done waits for the flush
				}
			}
			r.attach(a.Events().Concat(b.Events()))
			b.Emit(10)
			b.Emit(11)
			a.Close()
		}, []string{"10", "11", "13", "done"}},
		{"unsubscribe from a handler during the flush", func(t *testing.T, r *combineRec[int]) {
			var a, b events.Emitter[int]
			r.stopAt = "11"
			r.attach(a.Events().Concat(b.Events()))
			b.Emit(10)
			b.Emit(11)
			b.Emit(12)
			a.Close()
			combineIdle(t, &a, &b)
		}, []string{"10", "11"}},
		{"unsubscribe from a handler while flushing a completed stream", func(t *testing.T, r *combineRec[int]) {
			var a, b events.Emitter[int]
			r.stopAt = "10"
			r.attach(a.Events().Concat(b.Events()))
			b.Emit(10)
			b.Emit(11)
			b.Close()
			a.Close()
			combineIdle(t, &a, &b)
		}, []string{"10"}},
		{"a downstream combinator ends during the flush", func(t *testing.T, r *combineRec[int]) {
			var a, b events.Emitter[int]
			var stop events.Emitter[struct{}]
			r.hook = func(v int) {
				if v == 10 {
					stop.Emit(struct{}{}) // Until unsubscribes from Concat mid-flush
				}
			}
			r.attach(events.Until(a.Events().Concat(b.Events()), stop.Events()))
			b.Emit(10)
			b.Emit(11)
			b.Close()
			a.Close()
			combineIdle(t, &a, &b)
		}, []string{"10", "done"}},
		{"unsubscribe", func(t *testing.T, r *combineRec[int]) {
			var a, b events.Emitter[int]
			r.attach(a.Events().Concat(b.Events()))
			b.Emit(10)
			r.sub.Unsubscribe()
			combineIdle(t, &a, &b)
			a.Close()
		}, nil},
	})
}

func TestZip(t *testing.T) {
	pair := func(a int, b string) string { return fmt.Sprint(a) + b }
	combineRun(t, []combineCase[string]{
		{"pairs in order, buffering the faster side", func(t *testing.T, r *combineRec[string]) {
			var a events.Emitter[int]
			var b events.Emitter[string]
			r.attach(events.Zip(a.Events(), b.Events(), pair))
			a.Emit(1)
			a.Emit(2)
			b.Emit("x")
			b.Emit("y")
			b.Emit("z")
			a.Emit(3)
		}, []string{"1x", "2y", "3z"}},
		{"a side that completes pairs its buffer first", func(t *testing.T, r *combineRec[string]) {
			var a events.Emitter[int]
			var b events.Emitter[string]
			r.attach(events.Zip(a.Events(), b.Events(), pair))
			a.Emit(1)
			a.Close()
			b.Emit("x")
			combineIdle(t, &b)
			b.Emit("y")
		}, []string{"1x", "done"}},
		{"completion with nothing to pair ends at once", func(t *testing.T, r *combineRec[string]) {
			var a events.Emitter[int]
			var b events.Emitter[string]
			r.attach(events.Zip(a.Events(), b.Events(), pair))
			b.Emit("x")
			b.Emit("y")
			a.Close()
			combineIdle(t, &b)
		}, []string{"done"}},
		{"errors of both sides", func(t *testing.T, r *combineRec[string]) {
			var a events.Emitter[int]
			var b events.Emitter[string]
			r.attach(events.Zip(a.Events(), b.Events(), pair))
			a.EmitError(errCombine)
			b.EmitError(errors.New("y"))
		}, []string{"err:x", "err:y"}},
		{"inputs complete during Subscribe", func(t *testing.T, r *combineRec[string]) {
			s := combineSync(1, 2)
			var b events.Emitter[string]
			r.attach(events.Zip(s.events(), b.Events(), pair))
			b.Emit("x")
			b.Emit("y")
			s.released(t)
			combineIdle(t, &b)
		}, []string{"1x", "2y", "done"}},
		{"an empty side completes without subscribing the other", func(t *testing.T, r *combineRec[string]) {
			var b events.Emitter[string]
			r.attach(events.Zip(combineClosed[int](), b.Events(), pair))
			combineIdle(t, &b)
		}, []string{"done"}},
		{"two completed IVars", func(t *testing.T, r *combineRec[string]) {
			r.attach(events.Zip(combineSet(1), combineSet("x"), pair))
		}, []string{"1x", "done"}},
		{"unsubscribe from a handler", func(t *testing.T, r *combineRec[string]) {
			var a events.Emitter[int]
			var b events.Emitter[string]
			r.stopAt = "1x"
			r.attach(events.Zip(a.Events(), b.Events(), pair))
			a.Emit(1)
			a.Emit(2)
			b.Emit("x")
			b.Emit("y")
			combineIdle(t, &a)
			combineIdle(t, &b)
		}, []string{"1x"}},
	})
	t.Run("a panic in f propagates", func(t *testing.T) {
		var a, b events.Emitter[int]
		events.Zip(a.Events(), b.Events(), func(int, int) int { panic("boom") }).OnEvent(func(int) {})
		a.Emit(1)
		require.PanicsWithValue(t, "boom", func() { b.Emit(2) })
	})
}

func TestZipAll(t *testing.T) {
	combineRun(t, []combineCase[[]int]{
		{"tuples in order", func(t *testing.T, r *combineRec[[]int]) {
			var a, b, c events.Emitter[int]
			r.attach(events.ZipAll(a.Events(), b.Events(), c.Events()))
			a.Emit(1)
			a.Emit(2)
			b.Emit(10)
			c.Emit(100)
			b.Emit(20)
			b.EmitError(errCombine)
			c.Emit(200)
			c.Emit(300)
		}, []string{"[1 10 100]", "err:x", "[2 20 200]"}},
		{"done when an input is done and drained", func(t *testing.T, r *combineRec[[]int]) {
			var a, b events.Emitter[int]
			r.attach(events.ZipAll(a.Events(), b.Events()))
			a.Emit(1)
			a.Close()
			b.Emit(10)
			combineIdle(t, &a, &b)
		}, []string{"[1 10]", "done"}},
		{"none completes at once", func(t *testing.T, r *combineRec[[]int]) {
			r.attach(events.ZipAll[int]())
		}, []string{"done"}},
		{"one input", func(t *testing.T, r *combineRec[[]int]) {
			r.attach(events.ZipAll(combineSet(7)))
		}, []string{"[7]", "done"}},
		{"inputs complete during Subscribe", func(t *testing.T, r *combineRec[[]int]) {
			s1, s2 := combineSync(1, 2), combineSync(10)
			var c events.Emitter[int]
			r.attach(events.ZipAll(s1.events(), s2.events(), c.Events()))
			c.Emit(100)
			s1.released(t)
			s2.released(t)
			combineIdle(t, &c)
		}, []string{"[1 10 100]", "done"}},
		{"unsubscribe from a handler", func(t *testing.T, r *combineRec[[]int]) {
			var a, b events.Emitter[int]
			r.stopAt = "[1 10]"
			r.attach(events.ZipAll(a.Events(), b.Events()))
			a.Emit(1)
			a.Emit(2)
			b.Emit(10)
			b.Emit(20)
			combineIdle(t, &a, &b)
		}, []string{"[1 10]"}},
	})
	t.Run("a fresh slice per tuple", func(t *testing.T) {
		var a, b events.Emitter[int]
		var got [][]int
		events.ZipAll(a.Events(), b.Events()).OnEvent(func(v []int) { got = append(got, v) })
		for i := range 3 {
			a.Emit(i)
			b.Emit(-i)
		}
		require.Equal(t, [][]int{{0, 0}, {1, -1}, {2, -2}}, got)
	})
}

func TestAfter(t *testing.T) {
	combineRun(t, []combineCase[int]{
		{"drops events until start emits", func(t *testing.T, r *combineRec[int]) {
			var e events.Emitter[int]
			var s events.Emitter[string]
			r.attach(events.After(e.Events(), s.Events()))
			e.Emit(1)
			s.EmitError(errCombine) // forwarded before start
			s.Emit("go")
			combineIdle(t, &s)
			e.Emit(2)
			e.EmitError(errCombine)
			e.Close()
		}, []string{"err:x", "2", "err:x", "done"}},
		{"start completes without an event", func(t *testing.T, r *combineRec[int]) {
			var e events.Emitter[int]
			var s events.Emitter[string]
			r.attach(events.After(e.Events(), s.Events()))
			e.Emit(1)
			s.Close()
			combineIdle(t, &e)
			e.Emit(2)
		}, []string{"done"}},
		{"start already emitted", func(t *testing.T, r *combineRec[int]) {
			var e events.Emitter[int]
			r.attach(events.After(e.Events(), combineSet("go")))
			e.Emit(1)
			e.Close()
		}, []string{"1", "done"}},
		{"start already completed without an event", func(t *testing.T, r *combineRec[int]) {
			var e events.Emitter[int]
			r.attach(events.After(e.Events(), combineClosed[string]()))
			combineIdle(t, &e)
		}, []string{"done"}},
		{"e completes during Subscribe", func(t *testing.T, r *combineRec[int]) {
			s := combineSync(1, 2)
			var g events.Emitter[string]
			r.attach(events.After(s.events(), g.Events()))
			s.released(t)
			combineIdle(t, &g)
		}, []string{"done"}},
		{"unsubscribe from a handler", func(t *testing.T, r *combineRec[int]) {
			var e events.Emitter[int]
			var s events.Emitter[string]
			r.stopAt = "1"
			r.attach(events.After(e.Events(), s.Events()))
			s.Emit("go")
			e.Emit(1)
			e.Emit(2)
			combineIdle(t, &e)
		}, []string{"1"}},
		{"unsubscribe before start", func(t *testing.T, r *combineRec[int]) {
			var e events.Emitter[int]
			var s events.Emitter[string]
			r.attach(events.After(e.Events(), s.Events()))
			r.sub.Unsubscribe()
			combineIdle(t, &e)
			combineIdle(t, &s)
		}, nil},
	})
}

func TestUntil(t *testing.T) {
	combineRun(t, []combineCase[int]{
		{"forwards until stop emits", func(t *testing.T, r *combineRec[int]) {
			var e events.Emitter[int]
			var s events.Emitter[string]
			r.attach(events.Until(e.Events(), s.Events()))
			e.Emit(1)
			s.EmitError(errCombine)
			s.Emit("stop")
			combineIdle(t, &e)
			combineIdle(t, &s)
			e.Emit(2)
		}, []string{"1", "err:x", "done"}},
		{"stop completes without an event", func(t *testing.T, r *combineRec[int]) {
			var e events.Emitter[int]
			var s events.Emitter[string]
			r.attach(events.Until(e.Events(), s.Events()))
			s.Close()
			e.Emit(1)
			e.Close()
		}, []string{"1", "done"}},
		{"stop already emitted", func(t *testing.T, r *combineRec[int]) {
			var e events.Emitter[int]
			r.attach(events.Until(e.Events(), combineSet("stop")))
			combineIdle(t, &e)
		}, []string{"done"}},
		{"e completes during Subscribe", func(t *testing.T, r *combineRec[int]) {
			s := combineSync(1, 2)
			var g events.Emitter[string]
			r.attach(events.Until(s.events(), g.Events()))
			s.released(t)
			combineIdle(t, &g)
		}, []string{"1", "2", "done"}},
		{"stop emitted from a handler", func(t *testing.T, r *combineRec[int]) {
			var e events.Emitter[int]
			var s events.Emitter[string]
			r.hook = func(v int) {
				if v == 2 {
					s.Emit("stop")
				}
			}
			r.attach(events.Until(e.Events(), s.Events()))
			e.Emit(1)
			e.Emit(2)
			e.Emit(3)
		}, []string{"1", "2", "done"}},
		{"unsubscribe from a handler", func(t *testing.T, r *combineRec[int]) {
			var e events.Emitter[int]
			var s events.Emitter[string]
			r.stopAt = "1"
			r.attach(events.Until(e.Events(), s.Events()))
			e.Emit(1)
			e.Emit(2)
			combineIdle(t, &e)
			combineIdle(t, &s)
		}, []string{"1"}},
	})
}

func TestDefer(t *testing.T) {
	combineRun(t, []combineCase[int]{
		{"buffers until the gate emits", func(t *testing.T, r *combineRec[int]) {
			var e events.Emitter[int]
			var g events.Emitter[string]
			r.attach(events.Defer(e.Events(), g.Events()))
			e.Emit(1)
			e.EmitError(errCombine) // not buffered
			e.Emit(2)
			g.Emit("open")
			combineIdle(t, &g)
			e.Emit(3)
			e.Close()
		}, []string{"err:x", "1", "2", "3", "done"}},
		{"e completes first", func(t *testing.T, r *combineRec[int]) {
			var e events.Emitter[int]
			var g events.Emitter[string]
			r.attach(events.Defer(e.Events(), g.Events()))
			e.Emit(1)
			e.Close()
			g.EmitError(errCombine)
			g.Emit("open")
			combineIdle(t, &g)
		}, []string{"err:x", "1", "done"}},
		{"gate completes without an event", func(t *testing.T, r *combineRec[int]) {
			var e events.Emitter[int]
			var g events.Emitter[string]
			r.attach(events.Defer(e.Events(), g.Events()))
			e.Emit(1)
			g.Close()
			combineIdle(t, &e)
		}, []string{"done"}},
		{"gate already emitted", func(t *testing.T, r *combineRec[int]) {
			var e events.Emitter[int]
			r.attach(events.Defer(e.Events(), combineSet("open")))
			e.Emit(1)
		}, []string{"1"}},
		{"e completes during Subscribe", func(t *testing.T, r *combineRec[int]) {
			s := combineSync(1, 2)
			var g events.Emitter[string]
			r.attach(events.Defer(s.events(), g.Events()))
			s.released(t)
			g.Emit("open")
		}, []string{"1", "2", "done"}},
		{"emission during the flush keeps the order", func(t *testing.T, r *combineRec[int]) {
			var e events.Emitter[int]
			var g events.Emitter[string]
			r.hook = func(v int) {
				if v == 1 {
					e.Emit(3)
					e.Close()
				}
			}
			r.attach(events.Defer(e.Events(), g.Events()))
			e.Emit(1)
			e.Emit(2)
			g.Emit("open")
		}, []string{"1", "2", "3", "done"}},
		{"unsubscribe from a handler during the flush", func(t *testing.T, r *combineRec[int]) {
			var e events.Emitter[int]
			var g events.Emitter[string]
			r.stopAt = "1"
			r.attach(events.Defer(e.Events(), g.Events()))
			e.Emit(1)
			e.Emit(2)
			g.Emit("open")
			combineIdle(t, &e)
			combineIdle(t, &g)
		}, []string{"1"}},
	})
}

func TestCombineForwardingDoesNotAllocate(t *testing.T) {
	var a, b events.Emitter[int]
	sum := 0
	f := func(v int) { sum += v }
	a.Events().Union(b.Events()).OnEvent(f)
	a.Events().Concat(b.Events()).OnEvent(f)
	events.Until(a.Events(), b.Events()).OnEvent(f)
	var c, d events.Emitter[int]
	events.Zip(c.Events(), d.Events(), func(x, y int) int { return x + y }).OnEvent(f)
	c.Emit(0) // grow the buffer once
	d.Emit(0)
	require.Zero(t, testing.AllocsPerRun(100, func() {
		a.Emit(1)
		c.Emit(1)
		c.Emit(2)
		d.Emit(3)
		d.Emit(4)
	}))
}

func ExampleEvents_Union() {
	var a, b events.Emitter[string]
	a.Events().Union(b.Events()).OnEventOrDone(
		func(s string) { fmt.Println(s) },
		func() { fmt.Println("done") })
	a.Emit("a1")
	b.Emit("b1")
	a.Close()
	b.Emit("b2")
	b.Close()
	// Output:
	// a1
	// b1
	// b2
	// done
}

func ExampleEvents_Concat() {
	var first, second events.Emitter[int]
	first.Events().Concat(second.Events()).OnEvent(func(v int) { fmt.Println(v) })
	second.Emit(10) // buffered until first completes
	first.Emit(1)
	first.Close()
	second.Emit(11)
	// Output:
	// 1
	// 10
	// 11
}

func ExampleZip() {
	var names events.Emitter[string]
	var ages events.Emitter[int]
	events.Zip(names.Events(), ages.Events(), func(n string, a int) string {
		return fmt.Sprintf("%s is %d", n, a)
	}).OnEvent(func(s string) { fmt.Println(s) })
	names.Emit("Ada")
	names.Emit("Alan")
	ages.Emit(36)
	ages.Emit(41)
	// Output:
	// Ada is 36
	// Alan is 41
}

func ExampleUntil() {
	var ticks events.Emitter[int]
	var stop events.IVar[struct{}]
	events.Until(ticks.Events(), stop.Events()).OnEventOrDone(
		func(v int) { fmt.Println("tick", v) },
		func() { fmt.Println("stopped") })
	ticks.Emit(1)
	stop.Set(struct{}{})
	ticks.Emit(2)
	// Output:
	// tick 1
	// stopped
}
