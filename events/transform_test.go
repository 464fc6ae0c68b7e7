package events_test

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
)

// The harness below is shared by transform_test.go and slicing_test.go.
// Every combinator case is run against the same script of upstream
// reactions, from several sources and with several ways to unsubscribe.

// errTransformX is the error of the standard script.
var errTransformX = errors.New("x")

// transformFeed plays the standard script on em: 1 2 error(x) 2 3 3 4 done,
// then an event after done that nobody may see.
func transformFeed(em *events.Emitter[int]) {
	em.Emit(1)
	em.Emit(2)
	em.EmitError(errTransformX)
	em.Emit(2)
	em.Emit(3)
	em.Emit(3)
	em.Emit(4)
	em.Close()
	em.Emit(5)
}

// transformReplay is a source that plays the standard script to each
// subscriber inside Subscribe, completing before it returns the handle
// (Reactors.IO bug #64), and counts unsubscriptions of those handles.
type transformReplay struct{ unsubscribed int }

func (s *transformReplay) Subscribe(o events.Observer[int]) events.Subscription {
	for _, v := range []int{1, 2} {
		o.OnEvent(v)
	}
	o.OnError(errTransformX)
	for _, v := range []int{2, 3, 3, 4} {
		o.OnEvent(v)
	}
	o.OnDone()
	return events.OnUnsubscribe(func() { s.unsubscribed++ })
}

// transformRec records what an observer sees as strings: fmt.Sprint of an
// event, "err:" and the message of an error, "done". It fails the test on
// anything after done. With stopAt > 0 it unsubscribes sub from inside the
// handler of its stopAt-th entry, then calls afterStop; if that entry comes
// during Subscribe, before the handle exists, it sets stopMissed instead.
type transformRec struct {
	t          *testing.T
	got        []string
	done       bool
	stopAt     int
	sub        events.Subscription
	afterStop  func()
	stopMissed bool
}

func (r *transformRec) add(s string) {
	r.t.Helper()
	if r.done {
		r.t.Errorf("%q after done (got %q)", s, r.got)
	}
	r.got = append(r.got, s)
	if r.stopAt > 0 && len(r.got) == r.stopAt {
		if r.sub == nil { // inside Subscribe: there is no handle yet
			r.stopMissed = true
			return
		}
		r.sub.Unsubscribe()
		if r.afterStop != nil {
			r.afterStop()
		}
	}
}

// transformTo subscribes r to e.
func transformTo[U any](e events.Events[U], r *transformRec) events.Subscription {
	return e.Subscribe(&events.Funcs[U]{
		Event: func(v U) { r.add(fmt.Sprint(v)) },
		Error: func(err error) { r.add("err:" + err.Error()) },
		Done: func() {
			r.add("done")
			r.done = true
		},
	})
}

// transformCase is one combinator applied to a stream of ints; sub
// subscribes r to the result. want is what r sees for the standard script.
// early says the result ends before its source does, so it must release
// the source's handle by itself.
type transformCase struct {
	name  string
	sub   func(src events.Events[int], r *transformRec) events.Subscription
	want  []string
	early bool
}

// transformRunTable checks every case for values, errors and completion
// with a source that emits after Subscribe and one that completes during
// Subscribe, for unsubscription from outside and from inside each handler
// call, and for a completed or failed IVar (which must behave like an
// emitter doing the same after Subscribe).
func transformRunTable(t *testing.T, cases []transformCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Run("emitter", func(t *testing.T) {
				var em events.Emitter[int]
				r := &transformRec{t: t}
				r.sub = c.sub(em.Events(), r)
				transformFeed(&em)
				require.Equal(t, c.want, r.got)
				require.False(t, em.HasSubscribers())
			})

			t.Run("completes during Subscribe", func(t *testing.T) {
				src := &transformReplay{}
				r := &transformRec{t: t}
				r.sub = c.sub(events.From[int](src), r)
				require.Equal(t, c.want, r.got)
				if c.early {
					require.Equal(t, 1, src.unsubscribed, "an early end releases the source's handle once it arrives")
				} else {
					require.Zero(t, src.unsubscribed)
				}
				r.sub.Unsubscribe()
			})

			t.Run("unsubscribe outside", func(t *testing.T) {
				var em events.Emitter[int]
				r := &transformRec{t: t}
				r.sub = c.sub(em.Events(), r)
				em.Emit(1)
				before := slices.Clone(r.got)
				r.sub.Unsubscribe()
				r.sub.Unsubscribe() // idempotent
				require.False(t, em.HasSubscribers(), "unsubscribing releases the source")
				transformFeed(&em)
				require.Equal(t, before, r.got)
			})

			for k := 1; k <= len(c.want); k++ {
				t.Run("unsubscribe in handler "+strconv.Itoa(k), func(t *testing.T) {
					var em events.Emitter[int]
					r := &transformRec{t: t, stopAt: k}
					r.afterStop = func() { require.False(t, em.HasSubscribers(), "released at once") }
					r.sub = c.sub(em.Events(), r)
					transformFeed(&em)
					if r.stopMissed {
						require.Equal(t, c.want, r.got)
						return
					}
					require.Equal(t, c.want[:k], r.got)
				})
			}

			for _, fail := range []bool{false, true} {
				t.Run("ivar fail="+strconv.FormatBool(fail), func(t *testing.T) {
					var iv events.IVar[int]
					var em events.Emitter[int]
					viaIVar, viaEmitter := &transformRec{t: t}, &transformRec{t: t}
					if fail {
						iv.Fail(errTransformX)
					} else {
						iv.Set(4)
					}
					viaIVar.sub = c.sub(iv.Events(), viaIVar)
					viaEmitter.sub = c.sub(em.Events(), viaEmitter)
					if fail {
						em.EmitError(errTransformX)
					} else {
						em.Emit(4)
					}
					em.Close()
					require.Equal(t, viaEmitter.got, viaIVar.got)
					require.True(t, viaIVar.done)
				})
			}
		})
	}
}

func transformTenfold(v int) string { return strconv.Itoa(v * 10) }

func transformHalveEven(v int) (int, error) {
	if v%2 != 0 {
		return 0, fmt.Errorf("odd %d", v)
	}
	return v / 2, nil
}

func transformEven(v int) bool { return v%2 == 0 }

func transformAdd(acc, v int) int { return acc + v }

func TestTransform(t *testing.T) {
	all := []string{"1", "2", "err:x", "2", "3", "3", "4", "done"}
	transformRunTable(t, []transformCase{
		{name: "Map", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(events.Map(s, transformTenfold), r)
		}, want: []string{"10", "20", "err:x", "20", "30", "30", "40", "done"}},
		{name: "TryMap", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(events.TryMap(s, transformHalveEven), r)
		}, want: []string{"err:odd 1", "1", "err:x", "1", "err:odd 3", "err:odd 3", "2", "done"}},
		{name: "Filter", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.Filter(transformEven), r)
		}, want: []string{"2", "err:x", "2", "4", "done"}},
		{name: "Collect", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(events.Collect(s, func(v int) (string, bool) { return "sq" + strconv.Itoa(v*v), v > 2 }), r)
		}, want: []string{"err:x", "sq9", "sq9", "sq16", "done"}},
		{name: "Scan", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(events.Scan(s, 0, transformAdd), r)
		}, want: []string{"1", "3", "err:x", "5", "8", "11", "15", "done"}},
		{name: "Scan to string", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(events.Scan(s, ">", func(acc string, v int) string { return acc + strconv.Itoa(v) }), r)
		}, want: []string{">1", ">12", "err:x", ">122", ">1223", ">12233", ">122334", "done"}},
		{name: "Reduce", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(events.Reduce(s, 100, transformAdd), r)
		}, want: []string{"err:x", "115", "done"}},
		{name: "Count", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.Count(), r)
		}, want: []string{"1", "2", "err:x", "3", "4", "5", "6", "done"}},
		{name: "Changed", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(events.Changed(s), r)
		}, want: []string{"1", "2", "err:x", "3", "4", "done"}},
		{name: "FlatMap", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			// v repeated v%3 times: 1 -> [1], 2 -> [2 2], 3 -> [], 4 -> [4].
			return transformTo(events.FlatMap(s, func(v int) []int { return slices.Repeat([]int{v}, v%3) }), r)
		}, want: []string{"1", "2", "2", "err:x", "2", "2", "4", "done"}},
		{name: "Recover", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.Recover(func(err error) (int, bool) { return -1, errors.Is(err, errTransformX) }), r)
		}, want: []string{"1", "2", "-1", "2", "3", "3", "4", "done"}},
		{name: "Recover declines", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.Recover(func(error) (int, bool) { return -1, false }), r)
		}, want: all},
		{name: "IgnoreErrors", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.IgnoreErrors(), r)
		}, want: []string{"1", "2", "2", "3", "3", "4", "done"}},
		{name: "Materialize", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(events.Materialize(s), r)
		}, want: []string{
			"{event 1 <nil>}", "{event 2 <nil>}", "{error 0 x}", "{event 2 <nil>}", "{event 3 <nil>}",
			"{event 3 <nil>}", "{event 4 <nil>}", "{done 0 <nil>}", "done",
		}},
		{name: "Done", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(s.Done(), r)
		}, want: []string{"err:x", "{}", "done"}},
		{name: "Map of Filter of Scan", sub: func(s events.Events[int], r *transformRec) events.Subscription {
			return transformTo(events.Map(events.Scan(s, 0, transformAdd).Filter(transformEven), transformTenfold), r)
		}, want: []string{"err:x", "80", "done"}},
	})
}

func TestTransformEmptyStream(t *testing.T) {
	var em events.Emitter[int]
	reduce, done, changed, materialize := &transformRec{t: t}, &transformRec{t: t}, &transformRec{t: t}, &transformRec{t: t}
	transformTo(events.Reduce(em.Events(), 7, transformAdd), reduce)
	transformTo(em.Events().Done(), done)
	transformTo(events.Changed(em.Events()), changed)
	transformTo(events.Materialize(em.Events()), materialize)
	em.Close()
	require.Equal(t, []string{"7", "done"}, reduce.got, "Reduce of no events emits z")
	require.Equal(t, []string{"{}", "done"}, done.got)
	require.Equal(t, []string{"done"}, changed.got)
	require.Equal(t, []string{"{done 0 <nil>}", "done"}, materialize.got)
}

func TestTransformReentrant(t *testing.T) {
	t.Run("Scan sees the nested event's accumulator", func(t *testing.T) {
		var em events.Emitter[int]
		var got []int
		events.Scan(em.Events(), 0, transformAdd).OnEvent(func(acc int) {
			got = append(got, acc)
			if acc == 1 {
				em.Emit(10)
			}
		})
		em.Emit(1)
		em.Emit(2)
		require.Equal(t, []int{1, 11, 13}, got)
	})

	t.Run("FlatMap stops a slice when the source completes inside it", func(t *testing.T) {
		var em events.Emitter[int]
		r := &transformRec{t: t}
		events.FlatMap(em.Events(), func(v int) []int { return []int{v, v + 1, v + 2} }).Subscribe(&events.Funcs[int]{
			Event: func(v int) {
				r.add(strconv.Itoa(v))
				em.Close()
			},
			Done: func() { r.add("done"); r.done = true },
		})
		em.Emit(1)
		require.Equal(t, []string{"1", "done"}, r.got)
	})

	t.Run("FlatMap nests a re-entrant slice", func(t *testing.T) {
		var em events.Emitter[int]
		var got []int
		events.FlatMap(em.Events(), func(v int) []int { return []int{v, -v} }).OnEvent(func(v int) {
			got = append(got, v)
			if v == 1 {
				em.Emit(2)
			}
		})
		em.Emit(1)
		require.Equal(t, []int{1, 2, -2, -1}, got)
	})

	t.Run("Once above FlatMap of a completed IVar", func(t *testing.T) {
		var iv events.IVar[int]
		iv.Set(3)
		r := &transformRec{t: t}
		sub := transformTo(events.FlatMap(iv.Events(), func(v int) []int { return []int{v, v, v} }).Once(), r)
		require.Equal(t, []string{"3", "done"}, r.got)
		sub.Unsubscribe()
	})

	t.Run("Materialize of a stream unsubscribed in its done reaction", func(t *testing.T) {
		var em events.Emitter[int]
		var got []events.Reaction[int]
		var sub events.Subscription
		sub = events.Materialize(em.Events()).OnEventOrDone(func(rc events.Reaction[int]) {
			got = append(got, rc)
			if rc.Kind == events.DoneReaction {
				sub.Unsubscribe()
			}
		}, func() { t.Fatal("done after unsubscribing") })
		em.Emit(1)
		em.Close()
		require.Equal(t, []events.Reaction[int]{{Kind: events.EventReaction, Value: 1}, {Kind: events.DoneReaction}}, got)
	})
}

func TestTransformPanicsPropagate(t *testing.T) {
	var em events.Emitter[int]
	events.Map(em.Events(), func(int) int { panic("boom") }).OnEvent(func(int) {})
	require.PanicsWithValue(t, "boom", func() { em.Emit(1) })
}

func TestTransformColdPerSubscription(t *testing.T) {
	var em events.Emitter[int]
	counts := em.Events().Count()
	var a, b []int
	counts.OnEvent(func(n int) { a = append(a, n) })
	em.Emit(0)
	counts.OnEvent(func(n int) { b = append(b, n) })
	em.Emit(0)
	require.Equal(t, []int{1, 2}, a)
	require.Equal(t, []int{1}, b, "each subscription counts from its own start")
}

func TestReactionKindString(t *testing.T) {
	require.Equal(t, "event", events.EventReaction.String())
	require.Equal(t, "error", events.ErrorReaction.String())
	require.Equal(t, "done", events.DoneReaction.String())
	require.Equal(t, "ReactionKind(9)", events.ReactionKind(9).String())
	var zero events.Reaction[int]
	require.Equal(t, events.EventReaction, zero.Kind)
}

// TestTransformForwardingDoesNotAllocate checks the per-event cost stated
// in the doc comments: once subscribed, forwarding an event through these
// combinators allocates nothing.
func TestTransformForwardingDoesNotAllocate(t *testing.T) {
	var em events.Emitter[int]
	sum := 0
	events.Scan(events.Map(em.Events(), func(v int) int { return v * 2 }).Filter(transformEven), 0, transformAdd).
		OnEvent(func(v int) { sum = v })
	require.Zero(t, testing.AllocsPerRun(100, func() { em.Emit(1) }), "Map, Filter and Scan")
	require.NotZero(t, sum)

	noErr := func(error) {}
	three := []int{1, 2, 3}
	chains := map[string]func(events.Events[int]) events.Subscription{
		"TryMap": func(e events.Events[int]) events.Subscription {
			return events.TryMap(e, func(v int) (int, error) {
				if v%2 != 0 {
					return 0, errTransformX
				}
				return v, nil
			}).Subscribe(&events.Funcs[int]{Error: noErr})
		},
		"Collect": func(e events.Events[int]) events.Subscription {
			return events.Collect(e, func(v int) (int, bool) { return v, true }).OnEvent(func(int) {})
		},
		"Reduce": func(e events.Events[int]) events.Subscription {
			return events.Reduce(e, 0, transformAdd).OnEvent(func(int) {})
		},
		"Count":   func(e events.Events[int]) events.Subscription { return e.Count().OnEvent(func(int) {}) },
		"Changed": func(e events.Events[int]) events.Subscription { return events.Changed(e).OnEvent(func(int) {}) },
		"FlatMap": func(e events.Events[int]) events.Subscription {
			return events.FlatMap(e, func(int) []int { return three }).OnEvent(func(int) {})
		},
		"Recover": func(e events.Events[int]) events.Subscription {
			return e.Recover(func(error) (int, bool) { return 0, true }).OnEvent(func(int) {})
		},
		"IgnoreErrors": func(e events.Events[int]) events.Subscription { return e.IgnoreErrors().OnEvent(func(int) {}) },
		"Materialize": func(e events.Events[int]) events.Subscription {
			return events.Materialize(e).OnEvent(func(events.Reaction[int]) {})
		},
		"Done": func(e events.Events[int]) events.Subscription { return e.Done().OnError(noErr) },
	}
	for name, chain := range chains {
		var em events.Emitter[int]
		chain(em.Events())
		require.Zero(t, testing.AllocsPerRun(100, func() { em.Emit(2); em.Emit(3) }), name)
	}
}
