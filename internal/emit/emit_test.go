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
