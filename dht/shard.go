package dht

import (
	"fmt"
	"sync/atomic"

	"github.com/reactors-go/reactors/internal/relaxed"
)

// This file is the pure core of a shard: a plain map, the operations on
// it, and the shard's part of resharding (which keys it owns, which keys
// it waits for), with no goroutine, channel or clock. The reactor shell
// (shell.go) feeds it one request at a time and does the messaging.

// opKind says which operation a request carries.
type opKind uint8

const (
	opGet opKind = iota
	opPut
	opDelete
	opCAS
	opLen
	opBatch // the shard's part of a MultiGet or MultiPut (batch.go)

	// Control operations, sent by the table itself (resize.go,
	// snapshot.go, [Table.Close]); the shell handles them, never buffers them.
	opStop    // seal the shard (Close, or a shard retired by Resize)
	opHold    // Range: copy the map and hold every data operation
	opRelease // Range: end one hold
	opGrow    // Resize up: hand the keys of the new shards to them
	opExpect  // Resize down: wait for the keys of the retiring shards
	opDrain   // Resize down: hand every key to the remaining shards
	opInstall // keys handed over by another shard
	opSettle  // answer once no handed-over keys are awaited
)

// op is one operation as it travels to its shard: a small value, copied
// into the shard's mailbox, never mutated after the send.
type op[K comparable, V any] struct {
	kind  opKind
	epoch uint32 // the layout the caller placed the operation with
	h     uint64 // the key's placement hash (single-key operations)
	key   K
	val   V                 // Put's value; CompareAndSwap's new value
	old   V                 // CompareAndSwap's expected value
	eq    func(a, b V) bool // CompareAndSwap's equality
	b     *batch[K, V]      // opBatch's items and results
	x     *control[K, V]    // the payload of a control operation
}

// reply is a shard's answer to an op.
type reply[V any] struct {
	val   V      // Get: the value; Put, Delete, CompareAndSwap: the previous value
	ok    bool   // Get, Put, Delete: the key was present; CompareAndSwap: swapped
	n     int    // Len: the shard's number of keys
	epoch uint32 // Len: the layout the shard served when it counted
}

// entry is a stored value with its key's placement hash, kept so that
// resharding moves keys without running user code.
type entry[V any] struct {
	v V
	h uint64
}

// shard is one shard's state. It is owned by one reactor and needs no
// lock.
//
// Ownership: the shard is shard self of a layout of own shards (epoch
// epoch) and owns the keys whose hash h has Jump(h, own) == self. An
// operation placed with another epoch is checked against that rule
// (moved); one placed with the shard's epoch is its own by construction.
//
// Awaiting: after a resize, the keys a shard gains arrive from their
// previous shards (of a layout of prev shards) in opInstall messages;
// until the one from shard s has come, operations on keys that were on
// s wait (ready). held counts the [Table.Range] holds in force: while it is
// above 0, no data operation runs.
type shard[K comparable, V any] struct {
	m        map[K]entry[V]
	self     int
	epoch    uint32
	own      int
	prev     int    // while waiting > 0: the shard count keys come from
	awaiting []bool // awaiting[s]: shard s has not handed its keys over yet
	waiting  int    // how many awaiting entries are true
	held     int

	// Figures for Table.Stats, written by the shard only, with relaxed
	// stores (no fence: a plain store each), and read from any goroutine.
	ops  atomic.Uint64 // data operations applied (a batch counts its items)
	keys atomic.Int64  // len(m) after the last change
}

// note counts n applied operations and the map's size.
func (s *shard[K, V]) note(n int) {
	relaxed.StoreUint64(&s.ops, s.ops.Load()+uint64(n))
	relaxed.StoreInt64(&s.keys, int64(len(s.m)))
}

// newShard returns shard self of a layout of own shards at epoch.
func newShard[K comparable, V any](self, own int, epoch uint32) *shard[K, V] {
	return &shard[K, V]{m: make(map[K]entry[V]), self: self, own: own, epoch: epoch}
}

// owns reports whether the key of hash h belongs to the shard.
func (s *shard[K, V]) owns(h uint64) bool { return Jump(h, s.own) == s.self }

// moved reports whether o was placed on the shard by a layout under
// which it holds keys the shard does not own: its caller must place it
// again with the table's current layout.
func (s *shard[K, V]) moved(o op[K, V]) bool {
	if o.epoch == s.epoch {
		return false
	}
	switch o.kind {
	case opGet, opPut, opDelete, opCAS:
		return !s.owns(o.h)
	case opBatch:
		for _, i := range o.b.idx {
			if !s.owns(o.b.m.hs[i]) {
				return true
			}
		}
	}
	return false
}

// ready reports whether o may run now: the shard is not held and no key
// of o is still on its way from its previous shard.
func (s *shard[K, V]) ready(o op[K, V]) bool {
	if s.held > 0 {
		return false
	}
	if s.waiting == 0 {
		return true
	}
	switch o.kind {
	case opGet, opPut, opDelete, opCAS:
		return s.arrived(o.h)
	case opBatch:
		for _, i := range o.b.idx {
			if !s.arrived(o.b.m.hs[i]) {
				return false
			}
		}
		return true
	}
	return false // Len counts every key: it waits for all of them
}

// arrived reports whether the key of hash h is in the shard's map, if it
// exists: its previous shard has handed it over, or it never moved.
func (s *shard[K, V]) arrived(h uint64) bool {
	from := Jump(h, s.prev)
	return from == s.self || from >= len(s.awaiting) || !s.awaiting[from]
}

// expect makes the shard serve a layout of own shards at epoch, into
// which the keys of the shards from..prev-1 of the previous layout (of
// prev shards) are still to be handed over.
func (s *shard[K, V]) expect(epoch uint32, own, prev, from int) {
	s.epoch, s.own, s.prev = epoch, own, prev
	s.awaiting = make([]bool, prev)
	s.waiting = 0
	for i := from; i < prev; i++ {
		if i != s.self {
			s.awaiting[i] = true
			s.waiting++
		}
	}
}

// handOff makes the shard serve a layout of own shards at epoch and
// removes the keys it no longer owns, returned grouped by their new
// shard (keys of shard j in out[j]; out has own entries). It runs no
// user code.
func (s *shard[K, V]) handOff(epoch uint32, own int) []*keys[K, V] {
	defer s.note(0)
	s.epoch, s.own = epoch, own
	out := make([]*keys[K, V], own)
	for k, e := range s.m {
		j := Jump(e.h, own)
		if j == s.self {
			continue
		}
		if out[j] == nil {
			out[j] = &keys[K, V]{}
		}
		out[j].k = append(out[j].k, k)
		out[j].e = append(out[j].e, e)
		delete(s.m, k)
	}
	return out
}

// install adds the keys handed over by shard from.
func (s *shard[K, V]) install(from int, ks *keys[K, V]) {
	defer s.note(0)
	if ks != nil {
		for i, k := range ks.k {
			s.m[k] = ks.e[i]
		}
	}
	if from < len(s.awaiting) && s.awaiting[from] {
		s.awaiting[from] = false
		if s.waiting--; s.waiting == 0 {
			s.awaiting = nil
		}
	}
}

// snapshot returns a copy of the shard's keys and values.
func (s *shard[K, V]) snapshot() []KV[K, V] {
	out := make([]KV[K, V], 0, len(s.m))
	for k, e := range s.m {
		out = append(out, KV[K, V]{Key: k, Value: e.v})
	}
	return out
}

// apply runs o and returns its reply. It fails, with an error matching
// [ErrUserPanic], only if user code panics: the equality of a
// [Table.CompareAndSwap], or the map's hashing of an interface key whose dynamic
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
		s.note(1)
	}()
	switch o.kind {
	case opGet:
		e, ok := s.m[o.key]
		r.val, r.ok = e.v, ok
	case opPut:
		e, ok := s.m[o.key]
		r.val, r.ok = e.v, ok
		s.m[o.key] = entry[V]{v: o.val, h: o.h}
	case opDelete:
		e, ok := s.m[o.key]
		r.val, r.ok = e.v, ok
		if ok {
			delete(s.m, o.key)
		}
	case opCAS:
		cur, ok := s.m[o.key]
		if ok && o.eq(cur.v, o.old) {
			s.m[o.key] = entry[V]{v: o.val, h: o.h}
			r.val, r.ok = cur.v, true
		}
	case opLen:
		r.n, r.epoch = len(s.m), s.epoch
	}
	return r, nil
}

// undo reverts an applied o whose reply r nobody received, so that the
// operation did not happen. It must run before any other operation of
// the shard. It runs no user code that has not already run without
// panicking for the same key.
func (s *shard[K, V]) undo(o op[K, V], r reply[V]) {
	defer s.note(0)
	switch o.kind {
	case opPut:
		if r.ok {
			s.m[o.key] = entry[V]{v: r.val, h: o.h}
		} else {
			delete(s.m, o.key)
		}
	case opDelete, opCAS:
		if r.ok {
			s.m[o.key] = entry[V]{v: r.val, h: o.h}
		}
	case opBatch:
		s.undoBatch(o.b, len(o.b.idx))
	}
}

// userPanic is the error of a panic p raised by user code in what.
func userPanic(what string, p any) error {
	return fmt.Errorf("dht: %s: panic: %v: %w", what, p, ErrUserPanic)
}

// batch is a shard's part of a [Table.MultiGet] or [Table.MultiPut]: the
// indexes of its items in the batch m, in batch order, all placed on the
// shard. The caller builds it and never touches it again but to read res once
// the shard's reply was accepted; the shard reads m's items (which nobody
// changes while the batch runs) and writes res only.
type batch[K comparable, V any] struct {
	m   *multi[K, V]
	idx []int32     // the items' indexes in m
	res []Result[V] // res[q]: what Get or Put would reply to item idx[q]

	// A [Table.MultiGet] part applied on its caller's goroutine (call.direct)
	// writes its results straight into the caller's m.res[idx[q]]
	// instead of res[q]: nobody else can see them before it returns.
	inPlace bool
}

// applyBatch applies b's items one after another, as single Gets or
// Puts, so that an item sees the items before it (a key put twice ends
// with the second value, whose previous value is the first). If an item
// fails (the map's hashing of an interface key panicked, at the item's
// lookup, before it changed anything), the items before it are undone
// and the shard is as before the batch. One deferred recover covers the
// whole batch (see apply for why recovering is safe).
func (s *shard[K, V]) applyBatch(b *batch[K, V]) (err error) {
	m, q := b.m, 0
	defer func() {
		if p := recover(); p != nil {
			s.undoBatch(b, q)
			err = userPanic("shard operation", p)
		}
		s.note(q)
	}()
	if m.vals == nil && b.inPlace {
		for ; q < len(b.idx); q++ {
			i := b.idx[q]
			e, ok := s.m[m.keys[i]]
			m.res[i] = Result[V]{Value: e.v, Found: ok}
		}
		return nil
	}
	if m.vals == nil {
		for ; q < len(b.idx); q++ {
			e, ok := s.m[m.keys[b.idx[q]]]
			b.res[q] = Result[V]{Value: e.v, Found: ok}
		}
		return nil
	}
	for ; q < len(b.idx); q++ {
		i := b.idx[q]
		k := m.keys[i]
		e, ok := s.m[k]
		b.res[q] = Result[V]{Value: e.v, Found: ok}
		s.m[k] = entry[V]{v: m.vals[i], h: m.hs[i]}
	}
	return nil
}

// undoBatch reverts the first n applied items of b, last first, so that
// a key put twice gets back its value from before the batch.
func (s *shard[K, V]) undoBatch(b *batch[K, V], n int) {
	defer s.note(0)
	if b.m.vals == nil {
		return
	}
	for q := n - 1; q >= 0; q-- {
		i := b.idx[q]
		r := reply[V]{val: b.res[q].Value, ok: b.res[q].Found}
		s.undo(op[K, V]{kind: opPut, key: b.m.keys[i], h: b.m.hs[i]}, r)
	}
}
