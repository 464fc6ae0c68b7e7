// Package kvcheck is the linearizability check shared by the tests of the
// module's key-value tables (dht.Table and remote/table's Table): a
// porcupine model of one key's [Get], [Put], [Delete] and CompareAndSwap over
// int values, histories recorded with one logical clock, and a generator
// of random operations. Only tests and the programs they run as
// processes (remote/table's tableproc) import it, so porcupine is linked
// into nothing else.
//
// Histories are partitioned by key (the tables are linearizable per key).
// An operation that returned an error is left out of its history: the
// tables promise that it did not happen, so if it had, a read would show a
// value no recorded write wrote and the check would fail.
package kvcheck

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/anishathalye/porcupine"
)

// Store is the part of a table that [Apply] drives: dht.Store over string
// keys and int values, restated here so that this package imports no
// table (it sits below the packages whose tests use it).
type Store interface {
	Get(ctx context.Context, k string) (int, bool, error)
	Put(ctx context.Context, k string, v int) (prev int, had bool, err error)
	Delete(ctx context.Context, k string) (prev int, had bool, err error)
}

// Kind is an operation's kind.
type Kind uint8

// Kinds of operations.
const (
	Get Kind = iota
	Put
	Delete
	CAS
)

// Input is an operation as the model sees it: for [CAS], Old is the value
// compared and Val the one swapped in.
type Input struct {
	Kind     Kind
	Key      string
	Val, Old int
}

// Output is an operation's result: for [Get], [Put] and [Delete] the (previous)
// value and whether there was one; for [CAS], OK says whether it swapped.
// Unknown marks an operation whose result never came (its process was
// killed, or its context ended): the model accepts any result for it, and
// its history gives it a return at the end of time, so that the check may
// place it anywhere after its call, last of all meaning "it did not
// happen".
type Output struct {
	Val     int
	OK      bool
	Unknown bool
}

// state is one key's state.
type state struct {
	val     int
	present bool
}

// Model is the sequential model of one key, with histories partitioned by
// key.
var Model = porcupine.Model{
	Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		var order []string
		for _, o := range h {
			k := o.Input.(Input).Key
			if _, ok := byKey[k]; !ok {
				order = append(order, k)
			}
			byKey[k] = append(byKey[k], o)
		}
		out := make([][]porcupine.Operation, 0, len(order))
		for _, k := range order {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() any { return state{} },
	Step: func(st, input, output any) (bool, any) {
		s, in, out := st.(state), input.(Input), output.(Output)
		prev := Output{Val: s.val, OK: s.present}
		if out.Unknown {
			out = prev
			if in.Kind == CAS {
				out = Output{OK: s.present && s.val == in.Old}
			}
		}
		switch in.Kind {
		case Get:
			return out == prev, s
		case Put:
			return out == prev, state{val: in.Val, present: true}
		case Delete:
			return out == prev, state{}
		default: // CAS
			swap := s.present && s.val == in.Old
			if out.OK != swap {
				return false, s
			}
			if swap {
				return true, state{val: in.Val, present: true}
			}
			return true, s
		}
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(Input), output.(Output)
		return fmt.Sprintf("%d %s val=%d old=%d -> %d %v", in.Kind, in.Key, in.Val, in.Old, out.Val, out.OK)
	},
}

// History records operations with a logical clock: Call is taken before
// the operation starts, Return after it ended, from one counter, so the
// real-time order of operations is kept exactly. Its methods are safe for
// concurrent use.
type History struct {
	clock atomic.Int64
	mu    sync.Mutex
	ops   []porcupine.Operation
}

// Now returns the next tick of the clock: an operation's Call.
func (h *History) Now() int64 { return h.clock.Add(1) }

// Add records an operation of client that was called at call and returned
// out now.
func (h *History) Add(client int, in Input, call int64, out Output) {
	h.AddSpan(client, in, call, h.Now(), out)
}

// AddSpan records an operation with its call and return ticks.
func (h *History) AddSpan(client int, in Input, call, ret int64, out Output) {
	h.mu.Lock()
	h.ops = append(h.ops, porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret})
	h.mu.Unlock()
}

// Ops returns the operations recorded so far.
func (h *History) Ops() []porcupine.Operation {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]porcupine.Operation(nil), h.ops...)
}

// Random draws operation i of client on one of keys keys ("lin-0"...):
// 40% [Get], 35% [Put], 10% [Delete], 15% [CAS]; values written are unique per
// client and operation, and a CAS sometimes compares with a value once
// written.
func Random(rng *rand.Rand, client, i, keys int) Input {
	in := Input{Key: fmt.Sprintf("lin-%d", rng.IntN(keys)), Val: client<<20 | i}
	switch p := rng.IntN(100); {
	case p < 40:
		in.Kind = Get
	case p < 75:
		in.Kind = Put
	case p < 85:
		in.Kind = Delete
	default:
		in.Kind = CAS
		in.Old = rng.IntN(client+1)<<20 | rng.IntN(i+1)
	}
	return in
}

// Apply runs in on s; cas runs a CompareAndSwap, which the tables spell
// differently (dht.Table takes the equality per call, table.Table at
// open).
func Apply(ctx context.Context, s Store, cas func(ctx context.Context, key string, old, val int) (bool, error), in Input) (Output, error) {
	var out Output
	var err error
	switch in.Kind {
	case Get:
		out.Val, out.OK, err = s.Get(ctx, in.Key)
	case Put:
		out.Val, out.OK, err = s.Put(ctx, in.Key, in.Val)
	case Delete:
		out.Val, out.OK, err = s.Delete(ctx, in.Key)
	default:
		out.OK, err = cas(ctx, in.Key, in.Old, in.Val)
	}
	return out, err
}
