package events_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/reactors-go/reactors/events"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// log records what an observer sees.
type log struct{ got []string }

func (l *log) observer(name string) events.Observer[int] {
	return &events.Funcs[int]{
		Event: func(v int) { l.got = append(l.got, name+":"+string(rune('0'+v))) },
		Error: func(err error) { l.got = append(l.got, name+":err:"+err.Error()) },
		Done:  func() { l.got = append(l.got, name+":done") },
	}
}

func TestEmitterDeliversInSubscriptionOrder(t *testing.T) {
	var e events.Emitter[int]
	var l log
	e.Subscribe(l.observer("a"))
	e.Subscribe(l.observer("b"))
	e.Events().Subscribe(l.observer("c"))
	e.Emit(1)
	e.EmitError(errors.New("x"))
	e.Emit(2)
	e.Close()
	e.Emit(3) // after done: nothing
	e.Close()
	require.Equal(t, []string{
		"a:1", "b:1", "c:1",
		"a:err:x", "b:err:x", "c:err:x",
		"a:2", "b:2", "c:2",
		"a:done", "b:done", "c:done",
	}, l.got)
	require.True(t, e.Closed())
	require.False(t, e.HasSubscribers())

	// Subscribing to a completed stream reports done at once.
	var late log
	e.Subscribe(late.observer("z"))
	require.Equal(t, []string{"z:done"}, late.got)
}

func TestUnsubscribe(t *testing.T) {
	var e events.Emitter[int]
	var l log
	sa := e.Subscribe(l.observer("a"))
	sb := e.Subscribe(l.observer("b"))
	e.Emit(1)
	sa.Unsubscribe()
	sa.Unsubscribe() // idempotent
	e.Emit(2)
	sb.Unsubscribe()
	require.False(t, e.HasSubscribers())
	e.Emit(3)
	// A new subscriber after the first one left: the old handle stays inert.
	sc := e.Subscribe(l.observer("c"))
	sa.Unsubscribe()
	e.Emit(4)
	sc.Unsubscribe()
	require.Equal(t, []string{"a:1", "b:1", "b:2", "c:4"}, l.got)
}

func TestUnsubscribeAndSubscribeDuringEmission(t *testing.T) {
	var e events.Emitter[int]
	var l log
	var sb events.Subscription
	e.Events().OnEvent(func(v int) {
		l.got = append(l.got, "a:"+string(rune('0'+v)))
		if v == 1 {
			sb.Unsubscribe()                // removed during emission: not called, even now
			e.Subscribe(l.observer("late")) // added during emission: not called for this event
		}
	})
	sb = e.Subscribe(l.observer("b"))
	e.Emit(1)
	e.Emit(2)
	require.Equal(t, []string{"a:1", "a:2", "late:2"}, l.got)
}

func TestReentrantEmission(t *testing.T) {
	var e events.Emitter[int]
	var got []int
	e.Events().OnEvent(func(v int) {
		got = append(got, v)
		if v < 3 {
			e.Emit(v + 1) // depth-first: runs to completion before returning
		}
		got = append(got, -v)
	})
	e.Emit(1)
	require.Equal(t, []int{1, 2, 3, -3, -2, -1}, got)
}

func TestUnhandledErrorPanics(t *testing.T) {
	var e events.Emitter[int]
	e.Events().OnEvent(func(int) {})
	err := errors.New("boom")
	defer func() {
		v := recover()
		ue, ok := v.(*events.UnhandledError)
		require.True(t, ok, "panic value %v", v)
		require.ErrorIs(t, ue, err)
		require.Contains(t, ue.Error(), "boom")
	}()
	e.EmitError(err)
	t.Fatal("EmitError to an OnEvent observer must panic")
}

func TestOnErrorAndOnDone(t *testing.T) {
	var e events.Emitter[int]
	var errs []error
	done := 0
	e.Events().OnError(func(err error) { errs = append(errs, err) })
	e.Events().OnDone(func() { done++ })
	e.Emit(1) // ignored by both; OnDone's observer ignores events
	e.Events().OnEventOrDone(func(int) {}, func() { done++ })
	x := errors.New("x")
	e.Subscribe(&events.Funcs[int]{Error: func(error) {}})
	e.Events().OnError(func(error) {})
	_ = x
	e.Close()
	require.Empty(t, errs)
	require.Equal(t, 2, done)
}

func TestClear(t *testing.T) {
	var e events.Emitter[int]
	var l log
	sa := e.Subscribe(l.observer("a"))
	e.Subscribe(l.observer("b"))
	e.Clear()
	require.False(t, e.HasSubscribers())
	e.Emit(1)
	e.Subscribe(l.observer("c"))
	sa.Unsubscribe()
	e.Emit(2)
	require.Equal(t, []string{"c:2"}, l.got)
}

func TestZeroEvents(t *testing.T) {
	var z events.Events[int]
	s := z.OnEvent(func(int) { t.Fatal("the zero stream never emits") })
	s.Unsubscribe()
}

func TestSubscriptions(t *testing.T) {
	n := 0
	s := events.OnUnsubscribe(func() { n++ })
	s.Unsubscribe()
	s.Unsubscribe()
	require.Equal(t, 1, n)
	order := ""
	c := events.Composite(events.OnUnsubscribe(func() { order += "a" }), events.Nop(), events.OnUnsubscribe(func() { order += "b" }))
	c.Unsubscribe()
	require.Equal(t, "ab", order)
}

func TestIVar(t *testing.T) {
	var iv events.IVar[int]
	_, err := iv.Value()
	require.ErrorIs(t, err, events.ErrNotCompleted)
	var l log
	iv.Events().Subscribe(l.observer("early"))
	require.True(t, iv.TrySet(7))
	require.False(t, iv.TrySet(8))
	require.False(t, iv.TryFail(errors.New("late")))
	require.Panics(t, func() { iv.Set(9) })
	iv.Events().Subscribe(l.observer("late"))
	v, err := iv.Value()
	require.NoError(t, err)
	require.Equal(t, 7, v)
	require.True(t, iv.Completed())
	require.Equal(t, []string{"early:7", "early:done", "late:7", "late:done"}, l.got)
}

func TestIVarFailure(t *testing.T) {
	var iv events.IVar[int]
	var l log
	iv.Subscribe(l.observer("early"))
	iv.Fail(errors.New("no"))
	require.Panics(t, func() { iv.Fail(errors.New("twice")) })
	iv.Subscribe(l.observer("late"))
	_, err := iv.Value()
	require.EqualError(t, err, "no")
	require.Equal(t, []string{"early:err:no", "early:done", "late:err:no", "late:done"}, l.got)
}

func TestOnEventDoesNotAllocate(t *testing.T) {
	var e events.Emitter[int]
	sum := 0
	f := func(v int) { sum += v }
	allocs := testing.AllocsPerRun(100, func() {
		s := e.Events().OnEvent(f)
		e.Emit(1)
		s.Unsubscribe()
		e.Clear()
	})
	// The first subscription lives inline; later ones allocate one record.
	require.LessOrEqual(t, allocs, 1.0)
	var e2 events.Emitter[int]
	e2.Events().OnEvent(f)
	require.Zero(t, testing.AllocsPerRun(100, func() { e2.Emit(1) }), "emitting allocates nothing")
}
