package dht

import (
	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/server"
)

// Result is the answer of [Table.GetIn], [Table.PutIn] and [Table.DeleteIn]:
// for GetIn the key's value and whether it is present; for PutIn and DeleteIn
// the previous value and whether there was one.
type Result[V any] struct {
	Value V
	Found bool
}

// The In forms are the operations for reactor handlers. Each sends one
// request from the reactor o (with server.AskIn) and returns an IVar
// that a later turn of o completes with the result, or fails with the
// error the blocking form would return (ErrClosed, ErrUserPanic, the end
// of a shard). They never block and are Owner only: call them from o's
// constructor or handlers, and use the IVar in o only. They have no
// deadline of their own (bound them with reactor.Timeout). If o
// terminates before the reply, the shard reverts the operation: it did
// not happen. Cost: that of server.AskIn (a connector and a few small
// allocations per operation), plus one IVar.

// GetIn is [Table.Get] for reactor handlers.
func (t *Table[K, V]) GetIn(o reactor.Owner, k K) *events.IVar[Result[V]] {
	return keyedIn(t, o, op[K, V]{kind: opGet, key: k}, toResult[V])
}

// PutIn is [Table.Put] for reactor handlers.
func (t *Table[K, V]) PutIn(o reactor.Owner, k K, v V) *events.IVar[Result[V]] {
	return keyedIn(t, o, op[K, V]{kind: opPut, key: k, val: v}, toResult[V])
}

// DeleteIn is [Table.Delete] for reactor handlers.
func (t *Table[K, V]) DeleteIn(o reactor.Owner, k K) *events.IVar[Result[V]] {
	return keyedIn(t, o, op[K, V]{kind: opDelete, key: k}, toResult[V])
}

// CompareAndSwapIn is [Table.CompareAndSwap] for reactor handlers: the IVar
// holds whether the swap happened.
func (t *Table[K, V]) CompareAndSwapIn(o reactor.Owner, k K, old, new V, eq func(a, b V) bool) *events.IVar[bool] {
	if eq == nil {
		return failed[bool](ErrNilFunc)
	}
	return keyedIn(t, o, op[K, V]{kind: opCAS, key: k, val: new, old: old, eq: eq},
		func(r reply[V]) bool { return r.ok })
}

// LenIn is [Table.Len] for reactor handlers: it asks every shard at once and
// completes with the sum once all have answered (asking again if a
// [Table.Resize] changed the layout meanwhile, as Len does), or fails with the
// first error.
func (t *Table[K, V]) LenIn(o reactor.Owner) *events.IVar[int] {
	out := &events.IVar[int]{}
	round := 0
	var count func()
	count = func() {
		if t.closed.Load() {
			out.TryFail(ErrClosed)
			return
		}
		round++
		this, l := round, t.cur.Load()
		n, left := 0, len(l.shards)
		again := func() {
			if this == round { // the first shard to see the change starts the next round
				count()
			}
		}
		for _, s := range l.shards {
			server.AskIn(o, s, op[K, V]{kind: opLen, epoch: l.epoch}).Subscribe(&events.Funcs[reply[V]]{
				Event: func(r reply[V]) {
					if r.epoch != l.epoch {
						again()
						return
					}
					n += r.n
					if left--; left == 0 && this == round {
						out.TrySet(n)
					}
				},
				Error: func(err error) {
					if t.replace(err, l) {
						again()
					} else if this == round {
						out.TryFail(t.wrap(err))
					}
				},
			})
		}
	}
	count()
	return out
}

// keyedIn sends o to its key's shard from the reactor ow and completes
// the result with conv of the reply, placing o again if a [Table.Resize] moved
// its key meanwhile.
func keyedIn[K comparable, V, R any](t *Table[K, V], ow reactor.Owner, o op[K, V], conv func(reply[V]) R) *events.IVar[R] {
	h, err := t.hash(o.key)
	if err != nil {
		return failed[R](err)
	}
	o.h = h
	out := &events.IVar[R]{}
	var send func()
	send = func() {
		if t.closed.Load() {
			out.TryFail(ErrClosed)
			return
		}
		l := t.cur.Load()
		o.epoch = l.epoch
		server.AskIn(ow, l.placed(h), o).Subscribe(&events.Funcs[reply[V]]{
			Event: func(r reply[V]) { out.TrySet(conv(r)) },
			Error: func(err error) {
				if t.replace(err, l) {
					send()
					return
				}
				out.TryFail(t.wrap(err))
			},
		})
	}
	send()
	return out
}

func toResult[V any](r reply[V]) Result[V] { return Result[V]{Value: r.val, Found: r.ok} }

// failed returns an IVar failed with err.
func failed[R any](err error) *events.IVar[R] {
	iv := &events.IVar[R]{}
	iv.Fail(err)
	return iv
}
