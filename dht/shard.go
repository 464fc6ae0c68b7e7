package dht

import "fmt"

// This file is the pure core of a shard: a plain map and the operations
// on it, with no goroutine, channel or clock. The reactor shell in
// table.go feeds it one request at a time.

// opKind says which operation a request carries.
type opKind uint8

const (
	opGet opKind = iota
	opPut
	opDelete
	opCAS
	opLen
	opBatch // the shard's part of a MultiGet or MultiPut (batch.go)
	opStop  // seal the shard (Close); handled by the shell
)

// op is one operation as it travels to its shard: a small value, copied
// into the shard's mailbox, never mutated after the send.
type op[K comparable, V any] struct {
	kind opKind
	key  K
	val  V                 // Put's value; CompareAndSwap's new value
	old  V                 // CompareAndSwap's expected value
	eq   func(a, b V) bool // CompareAndSwap's equality
	b    *batch[K, V]      // opBatch's items and results
}

// reply is a shard's answer to an op.
type reply[V any] struct {
	val V    // Get: the value; Put, Delete, CompareAndSwap: the previous value
	ok  bool // Get, Put, Delete: the key was present; CompareAndSwap: swapped
	n   int  // Len: the shard's number of keys
}

// shard is one shard's state. It is owned by one reactor and needs no
// lock.
type shard[K comparable, V any] struct {
	m map[K]V
}

// apply runs o and returns its reply. It fails, with an error matching
// ErrUserPanic, only if user code panics: the equality of a
// CompareAndSwap, or the map's hashing of an interface key whose dynamic
// type is not comparable.
//
// The recover below is deliberate and is the only one in a shard: the
// panic comes from user code of one operation, and failing the shard's
// reactor for it would lose every key of the shard. It is safe because
// all user code of an operation runs before the operation changes the
// map (the map hashes a key before it inserts or removes anything, and
// CompareAndSwap calls eq before it stores), so a recovered shard is
// exactly as before the operation.
func (s *shard[K, V]) apply(o op[K, V]) (r reply[V], err error) {
	if o.kind == opBatch {
		return r, s.applyBatch(o.b) // each item recovers on its own
	}
	defer func() {
		if p := recover(); p != nil {
			r, err = reply[V]{}, userPanic("shard operation", p)
		}
	}()
	switch o.kind {
	case opGet:
		r.val, r.ok = s.m[o.key]
	case opPut:
		r.val, r.ok = s.m[o.key]
		s.m[o.key] = o.val
	case opDelete:
		r.val, r.ok = s.m[o.key]
		if r.ok {
			delete(s.m, o.key)
		}
	case opCAS:
		cur, ok := s.m[o.key]
		if ok && o.eq(cur, o.old) {
			s.m[o.key] = o.val
			r.val, r.ok = cur, true
		}
	case opLen:
		r.n = len(s.m)
	}
	return r, nil
}

// undo reverts an applied o whose reply r nobody received, so that the
// operation did not happen. It must run before any other operation of
// the shard. It runs no user code that has not already run without
// panicking for the same key.
func (s *shard[K, V]) undo(o op[K, V], r reply[V]) {
	switch o.kind {
	case opPut:
		if r.ok {
			s.m[o.key] = r.val
		} else {
			delete(s.m, o.key)
		}
	case opDelete, opCAS:
		if r.ok {
			s.m[o.key] = r.val
		}
	case opBatch:
		s.undoBatch(o.b, len(o.b.keys))
	}
}

// userPanic is the error of a panic p raised by user code in what.
func userPanic(what string, p any) error {
	return fmt.Errorf("dht: %s: panic: %v: %w", what, p, ErrUserPanic)
}

// batch is a shard's part of a MultiGet or MultiPut: items in batch
// order, all placed on the shard. The caller builds it and never touches
// it again but to read res once the shard's reply was accepted; the
// shard writes res only.
type batch[K comparable, V any] struct {
	put  bool       // MultiPut; else MultiGet
	keys []K        // the items' keys
	vals []V        // MultiPut's values, one per key
	res  []reply[V] // one per key: what Get or Put would reply
}

// applyBatch applies b's items one after another, as single Gets or
// Puts, so that an item sees the items before it (a key put twice ends
// with the second value, whose previous value is the first). If an item
// fails (user code panicked), the items before it are undone and the
// shard is as before the batch.
func (s *shard[K, V]) applyBatch(b *batch[K, V]) error {
	o := op[K, V]{kind: opGet}
	if b.put {
		o.kind = opPut
	}
	for j, k := range b.keys {
		o.key = k
		if b.put {
			o.val = b.vals[j]
		}
		r, err := s.apply(o)
		if err != nil {
			s.undoBatch(b, j)
			return err
		}
		b.res[j] = r
	}
	return nil
}

// undoBatch reverts the first n applied items of b, last first, so that
// a key put twice gets back its value from before the batch.
func (s *shard[K, V]) undoBatch(b *batch[K, V], n int) {
	if !b.put {
		return
	}
	for j := n - 1; j >= 0; j-- {
		s.undo(op[K, V]{kind: opPut, key: b.keys[j]}, b.res[j])
	}
}
