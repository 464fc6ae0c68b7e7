package emit_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/internal/emit"
)

// rec is an observer that records what it sees, and may act on the list
// from inside its callbacks.
type rec struct {
	name string
	log  *[]string
	on   func(v int)
}

func (r *rec) OnEvent(v int) {
	*r.log = append(*r.log, fmt.Sprintf("%s:%d", r.name, v))
	if r.on != nil {
		r.on(v)
	}
}
func (r *rec) OnError(err error) { *r.log = append(*r.log, r.name+":err:"+err.Error()) }
func (r *rec) OnDone()           { *r.log = append(*r.log, r.name+":done") }

func TestEmitOrderAndRemoval(t *testing.T) {
	var log []string
	var l emit.List[int]
	require.False(t, l.HasSubscribers())
	a := l.Subscribe(&rec{name: "a", log: &log})
	var c *emit.Sub[int]
	b := l.Subscribe(&rec{name: "b", log: &log, on: func(v int) {
		if v == 1 {
			c.Unsubscribe()                         // removed during an emission: not called for it
			l.Subscribe(&rec{name: "d", log: &log}) // added during it: misses it
		}
	}})
	c = l.Subscribe(&rec{name: "c", log: &log})
	require.True(t, l.HasSubscribers())
	l.Emit(1)
	l.Emit(2)
	require.Equal(t, []string{"a:1", "b:1", "a:2", "b:2", "d:2"}, log)

	log = nil
	a.Unsubscribe()
	l.EmitError(errors.New("x"))
	require.Equal(t, []string{"b:err:x", "d:err:x"}, log)

	log = nil
	e := l.Subscribe(&rec{name: "e", log: &log}) // the inline slot is never reused
	a.Unsubscribe()                              // an old handle removes nothing new
	l.Emit(3)
	require.Equal(t, []string{"b:3", "d:3", "e:3"}, log)
	b.Unsubscribe()
	e.Unsubscribe()
	log = nil
	l.Emit(4)
	require.Equal(t, []string{"d:4"}, log)
}

func TestEmitCloseAndClear(t *testing.T) {
	var log []string
	var l emit.List[int]
	l.Subscribe(&rec{name: "a", log: &log})
	l.Subscribe(&rec{name: "b", log: &log, on: func(int) { l.Close() }}) // close during an emission
	l.Subscribe(&rec{name: "c", log: &log})
	l.Emit(1)
	require.True(t, l.Closed())
	require.Equal(t, []string{"a:1", "b:1", "a:done", "b:done", "c:done"}, log,
		"OnDone once each, and nothing after it: not even the rest of the emission under way")

	log = nil
	l.Emit(2)
	l.EmitError(errors.New("x"))
	l.Close()
	require.Nil(t, l.Subscribe(&rec{name: "late", log: &log}))
	require.Equal(t, []string{"late:done"}, log, "after Close only a late subscriber's OnDone")

	var m emit.List[int]
	log = nil
	m.Subscribe(&rec{name: "a", log: &log})
	m.Subscribe(&rec{name: "b", log: &log})
	m.Clear()
	require.False(t, m.HasSubscribers())
	m.Subscribe(&rec{name: "c", log: &log})
	m.Emit(1)
	require.Equal(t, []string{"c:1"}, log, "Clear completes nobody; later subscribers are kept")
}

func TestEmitReportsWhetherAnybodyObserved(t *testing.T) {
	var log []string
	var l emit.List[int]
	require.False(t, l.Emit(1), "no subscriber")
	a := l.Subscribe(&rec{name: "a", log: &log})
	require.True(t, l.Emit(2))
	a.Unsubscribe()
	require.False(t, l.Emit(3), "the only subscriber was removed")
	require.False(t, l.HasSubscribers())
	b := l.Subscribe(&rec{name: "b", log: &log}) // not in the removed inline slot
	require.True(t, l.Emit(4))
	a.Unsubscribe() // an old handle removes nothing new
	require.True(t, l.Emit(5))
	b.Unsubscribe()
	require.False(t, l.Emit(6), "every subscriber removed")
	require.Equal(t, []string{"a:2", "b:4", "b:5"}, log)

	l.Subscribe(&rec{name: "c", log: &log})
	l.Close()
	require.False(t, l.Emit(7), "closed")
	require.False(t, l.HasSubscribers())
	b.Unsubscribe() // after Close: the list stays closed
	require.True(t, l.Closed())
	require.Equal(t, []string{"a:2", "b:4", "b:5", "c:done"}, log)
}

func TestNilObserverTakesItsPlace(t *testing.T) {
	var log []string
	var l emit.List[int]
	n := l.Subscribe(nil)
	require.False(t, l.HasSubscribers(), "a nil observer observes nothing")
	l.Subscribe(&rec{name: "a", log: &log})
	n.Unsubscribe() // removes the nil one only
	require.True(t, l.Emit(1))
	require.Equal(t, []string{"a:1"}, log)
}

func TestHoldKeepsTheSlotUntilRelease(t *testing.T) {
	var log []string
	var l emit.List[int]
	held := &rec{name: "held", log: &log}
	l.Hold(held)
	require.Same(t, held, l.Release())
	require.Nil(t, l.Release(), "released once")
	a := l.Subscribe(&rec{name: "a", log: &log})
	require.True(t, l.Emit(1), "the slot is free again for the first subscriber")
	a.Unsubscribe()
	require.Panics(t, func() { l.Hold(held) }, "a used slot cannot hold")

	var c emit.List[int]
	c.Hold(held)
	c.Close()
	require.Equal(t, []string{"a:1", "held:done"}, log, "a held observer is completed like a subscriber")
	require.Nil(t, c.Release(), "closed since: nothing to release")
	require.True(t, c.Closed())
}

func TestCloseTellsEveryoneWhenOnDonePanics(t *testing.T) {
	var log []string
	var l emit.List[int]
	l.Subscribe(&rec{name: "a", log: &log})
	l.Subscribe(panicker{})
	l.Subscribe(&rec{name: "c", log: &log})
	require.PanicsWithValue(t, "boom", l.Close)
	require.Equal(t, []string{"a:done", "c:done"}, log)
	require.True(t, l.Closed())
	require.False(t, l.HasSubscribers())

	log = nil
	var m emit.List[int]
	m.Subscribe(panicker{}) // the inline one
	m.Subscribe(&rec{name: "b", log: &log})
	require.PanicsWithValue(t, "boom", m.Close)
	require.Equal(t, []string{"b:done"}, log)
}

type panicker struct{}

func (panicker) OnEvent(int)   {}
func (panicker) OnError(error) {}
func (panicker) OnDone()       { panic("boom") }

func TestReopenSpendsTheInlineSlot(t *testing.T) {
	var log []string
	var l emit.List[int]
	old := l.Subscribe(&rec{name: "a", log: &log})
	l.Close()
	l.Reopen()
	require.False(t, l.Closed())
	require.False(t, l.HasSubscribers())
	l.Subscribe(&rec{name: "b", log: &log})
	old.Unsubscribe() // a handle to the closed list's inline slot removes nothing new
	require.True(t, l.Emit(1))
	require.Equal(t, []string{"a:done", "b:1"}, log)
	require.Nil(t, l.Release(), "a reopened list holds nothing")
}
