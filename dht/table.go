package dht

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/server"
)

// Table is a hash table of K to V split over shard reactors. Each shard
// owns a plain map; an operation on key k is one request to shard
// Jump(key(k), Shards()) and one reply. [Table.Resize] changes the shard count
// while the table serves.
//
// Operations come in two forms: the blocking form ([Table.Get], [Table.Put],
// ...) for plain goroutines, which takes a context, and the In form
// ([Table.GetIn], [Table.PutIn], ...) for reactor handlers, which returns an
// IVar. [Table.MultiGet] and [Table.MultiPut] batch many keys into one
// request per shard involved (see "Batches" in the package documentation).
// All methods are safe for concurrent use. A Table must not be copied.
//
// Consistency: each shard applies its operations one at a time, so every
// operation on one key is atomic and takes effect at one instant between
// its call and its return, also across a Resize (operations on a table
// are linearizable per key); operations of one caller on one shard are
// applied in the order called. [Table.Range] reads a snapshot of the whole
// table; [Table.Len] visits the shards one after another and is not one.
//
// Context expiry: if ctx ends before an operation's reply is taken, the
// operation returns ctx's error ([context.Cause]) and has not happened: it
// was either never sent, or its shard applies it, finds its reply
// refused, and reverts it in the same turn, before any other operation
// of the shard can see it. If the reply was taken as ctx ended, the
// operation returns its result.
type Table[K comparable, V any] struct {
	key     KeyFunc[K]
	sys     *reactor.System
	name    string
	cur     atomic.Pointer[layout[K, V]]
	admin   chan struct{} // held (one token inside) by Resize, Range and Close
	closed  atomic.Bool
	resizes atomic.Uint64 // layouts published by Resize

	batches sync.Pool // *multi[K, V]: clean batches' buffers (batch.go)
}

// layout is one shard numbering of a table: shard i is shards[i]. A
// layout is never changed once published; [Table.Resize] publishes a new one
// with the next epoch. Operations carry the epoch they were placed with
// so that a shard can tell a stale placement (shard.moved).
type layout[K comparable, V any] struct {
	epoch  uint32
	shards []server.Server[op[K, V], reply[V]]
	shells []*shell[K, V] // shells[i]: shard i's state, for the fast path (RunIfIdle)
}

// Option configures [New].
type Option func(*config)

type config struct {
	name string
}

// WithName names the shard reactors name-0, name-1, ..., so that they
// appear by name in logs and dead letters and are registered in the
// system's names (see [reactor.WithName]); names must be unique among the
// system's live reactors. Shards added by [Table.Resize] continue the numbering;
// a shard removed by Resize gives its name back before Resize returns.
func WithName(name string) Option {
	return func(c *config) { c.name = name }
}

// New starts a table of shards shard reactors in sys, placing keys with
// key. It returns [ErrShards] if shards is less than 1, [ErrNilFunc] if key
// is nil, an error matching [reactor.ErrNilSystem] if sys is nil, or the
// error of a shard's spawn (the shards already started are then
// stopped).
//
// Cost: one reactor per shard, an empty map each and no goroutine (an
// idle reactor owns none).
func New[K comparable, V any](sys *reactor.System, shards int, key KeyFunc[K], opts ...Option) (*Table[K, V], error) {
	if shards < 1 {
		return nil, ErrShards
	}
	if key == nil {
		return nil, ErrNilFunc
	}
	if sys == nil {
		return nil, fmt.Errorf("dht: New: %w", reactor.ErrNilSystem)
	}
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	t := &Table[K, V]{key: key, sys: sys, name: cfg.name, admin: make(chan struct{}, 1)}
	ss, shells, err := t.spawn(0, shards, 1, 0)
	if err != nil {
		return nil, err
	}
	t.cur.Store(&layout[K, V]{epoch: 1, shards: ss, shells: shells})
	return t, nil
}

// spawn starts the shards lo..hi-1 of a layout of hi shards at epoch; if
// prev > 0 they wait for the keys of the shards 0..prev-1 of the
// previous layout. On error it stops the shards it started.
func (t *Table[K, V]) spawn(lo, hi int, epoch uint32, prev int) ([]server.Server[op[K, V], reply[V]], []*shell[K, V], error) {
	ss := make([]server.Server[op[K, V], reply[V]], 0, hi-lo)
	shells := make([]*shell[K, V], 0, hi-lo)
	for i := lo; i < hi; i++ {
		var sopts []reactor.SpawnOption
		if t.name != "" {
			sopts = append(sopts, reactor.WithName(t.name+"-"+strconv.Itoa(i)))
		}
		sh := newShell[K, V](i, hi, epoch, prev)
		ch, err := reactor.Spawn(t.sys, sh.body, sopts...)
		if err != nil {
			stop(ss)
			return nil, nil, err
		}
		ss, shells = append(ss, ch), append(shells, sh)
	}
	return ss, shells, nil
}

// stop stops the shards ss and waits until they have terminated. A stop
// is a control operation: it is served even while a shard waits for
// keys or is held.
func stop[K comparable, V any](ss []server.Server[op[K, V], reply[V]]) {
	tellStop(ss)
	for _, s := range ss {
		<-s.Done()
	}
}

// tellStop asks the shards ss to stop, without waiting.
func tellStop[K comparable, V any](ss []server.Server[op[K, V], reply[V]]) {
	for _, s := range ss {
		_ = server.Tell(s, op[K, V]{kind: opStop}) // an error: already stopped
	}
}

// lock takes the table's admin token, waiting until it is free or ctx
// ends.
func (t *Table[K, V]) lock(ctx context.Context) error {
	select {
	case t.admin <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (t *Table[K, V]) unlock() { <-t.admin }

// Shards returns the table's current shard count.
func (t *Table[K, V]) Shards() int { return len(t.cur.Load().shards) }

// Shard returns the shard of k under the current layout:
// Jump(key(k), Shards()). It fails only with [ErrUserPanic], if the key
// function panics.
func (t *Table[K, V]) Shard(k K) (int, error) {
	h, err := t.hash(k)
	if err != nil {
		return 0, err
	}
	return Jump(h, t.Shards()), nil
}

// hash returns k's placement hash, catching a panic of the key function
// so that it fails this operation only. It runs on the caller's
// goroutine, before anything is sent.
func (t *Table[K, V]) hash(k K) (h uint64, err error) {
	defer func() {
		if p := recover(); p != nil {
			h, err = 0, userPanic("key function", p)
		}
	}()
	return t.key(k), nil
}

// placed returns the shard of the hash h in the layout l.
func (l *layout[K, V]) placed(h uint64) server.Server[op[K, V], reply[V]] {
	return l.shards[Jump(h, len(l.shards))]
}

// outside returns an error matching [reactor.ErrInsideReactor] when the
// blocking operation op is called from a reactor's handler, where it would
// wait for ever. [Table.Get], [Table.Put], [Table.Delete],
// [Table.CompareAndSwap] and [Table.Len] get it from [server.Ask].
func outside(op string) error {
	if reactor.Inside() {
		return fmt.Errorf("dht: %s: %w", op, reactor.ErrInsideReactor)
	}
	return nil
}

// ask runs o on srv, a shard of the layout l, from a plain goroutine.
func (t *Table[K, V]) ask(ctx context.Context, l *layout[K, V], srv server.Server[op[K, V], reply[V]], o op[K, V]) (reply[V], error) {
	if t.closed.Load() {
		return reply[V]{}, ErrClosed
	}
	o.epoch = l.epoch
	return server.Ask(ctx, srv, o)
}

// keyed runs o on its key's shard from a plain goroutine, placing it
// again if a [Table.Resize] moved the key meanwhile.
func (t *Table[K, V]) keyed(ctx context.Context, o op[K, V]) (reply[V], error) {
	h, err := t.hash(o.key)
	if err != nil {
		return reply[V]{}, err
	}
	o.h = h
	for moves := 0; ; moves++ {
		held := t.steady(ctx, moves)
		l := t.cur.Load()
		if placing != nil {
			placing(held)
		}
		i := Jump(h, len(l.shards))
		if r, ok, err := t.direct(ctx, l, i, o); ok {
			if held {
				t.unlock()
			}
			return r, err
		}
		r, err := t.ask(ctx, l, l.shards[i], o)
		if held {
			t.unlock()
		}
		if err != nil && t.replace(err, l) {
			continue
		}
		return r, t.wrap(err)
	}
}

// placing, if set, is called by every placement of a blocking operation
// (a single-key one, a round of a batch, a try of Len), after it read
// the layout; held says whether the placement holds Resizes off
// (steady). Tests only: set it before the operations start and clear it
// after they end.
var placing func(held bool)

// movesBeforeHold is how many times a Resize may move a blocking
// operation before the operation holds the next Resize off (steady).
const movesBeforeHold = 2

// steady starts a placement of a blocking operation that Resizes moved
// moves times already, and reports whether it holds the admin token for
// it (the caller lets it go after the placement). From the
// movesBeforeHold-th move on, it takes the token, after the Resize or
// Range under way, if any: no Resize starts while the operation is
// placed again, so that back-to-back Resizes cannot keep moving it
// forever (with one processor, a client and a resizing goroutine fell
// into such a cycle). The last Resize handed every moved key over before
// it let the token go, so the placement needs no Resize to complete. If
// ctx ends first, the placement goes ahead without the token and fails
// with ctx's error. Before that move it is a comparison, inlined.
func (t *Table[K, V]) steady(ctx context.Context, moves int) (held bool) {
	return moves >= movesBeforeHold && t.lock(ctx) == nil
}

// direct applies o on shard i of the layout l on the caller's goroutine
// if the shard is idle and o needs no waiting (shell.direct): the fast
// path of the blocking operations, with no message and no reply. It
// reports false if o must be asked for.
func (t *Table[K, V]) direct(ctx context.Context, l *layout[K, V], i int, o op[K, V]) (r reply[V], ok bool, err error) {
	if t.closed.Load() || ctx.Err() != nil {
		return r, false, nil // ask reports it
	}
	o.epoch = l.epoch
	return l.direct(i, o)
}

// direct is Table.direct once the table and the context were checked.
func (l *layout[K, V]) direct(i int, o op[K, V]) (r reply[V], ok bool, err error) {
	sh := l.shells[i]
	l.shards[i].RunIfIdle(func() { r, ok, err = sh.direct(o) })
	return r, ok, err
}

// replace reports whether an operation placed with the layout l that
// failed with err did not happen because a [Table.Resize] moved its keys, so
// that it must be placed again with the current layout: its shard
// answered errMoved, or it was a shard that a Resize retired.
//
// It cannot loop forever: a shard answers errMoved only to operations
// placed with an older layout than its own, which is published before
// any shard serves it.
func (t *Table[K, V]) replace(err error, l *layout[K, V]) bool {
	if errors.Is(err, errMoved) {
		return true
	}
	return !t.closed.Load() && t.cur.Load() != l && gone(err)
}

// gone reports whether err says that a shard has stopped.
func gone(err error) bool {
	return errors.Is(err, reactor.ErrSealed) || errors.Is(err, reactor.ErrTerminated) ||
		errors.Is(err, server.ErrServerTerminated)
}

// wrap turns the errors of a shard that [Table.Close] stopped into [ErrClosed].
func (t *Table[K, V]) wrap(err error) error {
	if err == nil || !t.closed.Load() {
		return err
	}
	if gone(err) {
		return ErrClosed
	}
	return err
}

// Get returns k's value and whether k is present.
//
// Like every blocking operation of [Table], Get must be called from a
// plain goroutine, never from a reactor's handler (use [Table.GetIn] there). It
// blocks until its shard's reply or the end of ctx; when the shard is
// idle, its turn runs on the caller's goroutine ([server.Ask]). It returns
// [ErrClosed] after [Table.Close], [ErrUserPanic] if the key function panics,
// ctx's error if ctx ends first, or the error of a shard terminated
// otherwise (the system shut down). The shard's turn synchronizes before
// Get returns. A sequential call sends one message and allocates nothing
// beyond what the key function allocates.
func (t *Table[K, V]) Get(ctx context.Context, k K) (V, bool, error) {
	r, err := t.keyed(ctx, op[K, V]{kind: opGet, key: k})
	return r.val, r.ok, err
}

// Put sets k to v and returns the previous value and whether there was
// one. It blocks and fails like [Table.Get]; on error the table is unchanged.
func (t *Table[K, V]) Put(ctx context.Context, k K, v V) (prev V, had bool, err error) {
	r, err := t.keyed(ctx, op[K, V]{kind: opPut, key: k, val: v})
	return r.val, r.ok, err
}

// Delete removes k and returns its value and whether it was present. It
// blocks and fails like [Table.Get]; on error the table is unchanged.
func (t *Table[K, V]) Delete(ctx context.Context, k K) (prev V, had bool, err error) {
	r, err := t.keyed(ctx, op[K, V]{kind: opDelete, key: k})
	return r.val, r.ok, err
}

// CompareAndSwap sets k to new if k is present and eq(current, old)
// reports true, and reports whether it did. An absent key is never
// swapped. eq runs in k's shard, once, and must not block; if it panics,
// CompareAndSwap returns an error matching [ErrUserPanic], the table is
// unchanged and the shard goes on serving with all its data. A nil eq
// returns [ErrNilFunc]. Otherwise CompareAndSwap blocks and fails like
// [Table.Get]; on error the table is unchanged.
//
// For comparable V, pass [Equal].
func (t *Table[K, V]) CompareAndSwap(ctx context.Context, k K, old, new V, eq func(a, b V) bool) (swapped bool, err error) {
	if eq == nil {
		return false, ErrNilFunc
	}
	r, err := t.keyed(ctx, op[K, V]{kind: opCAS, key: k, val: new, old: old, eq: eq})
	return r.ok, err
}

// Equal reports whether a == b: the equality of [Table.CompareAndSwap] for
// comparable values.
func Equal[V comparable](a, b V) bool { return a == b }

// Len returns the number of keys: the sum of the shards' counts, each
// taken at its own moment (one request per shard, in shard order), so
// under concurrent writes it is not a snapshot; across a [Table.Resize] it counts
// every key once (it counts again if the layout changed while it
// counted). It blocks and fails like [Table.Get].
func (t *Table[K, V]) Len(ctx context.Context) (int, error) {
	for moves := 0; ; moves++ {
		held := t.steady(ctx, moves)
		n, again, err := t.count(ctx, held)
		if held {
			t.unlock()
		}
		if !again {
			return n, err
		}
	}
}

// count is one try of Len. It reports again if a Resize changed the
// layout while it counted.
func (t *Table[K, V]) count(ctx context.Context, held bool) (n int, again bool, err error) {
	l := t.cur.Load()
	if placing != nil {
		placing(held)
	}
	for _, s := range l.shards {
		r, err := t.ask(ctx, l, s, op[K, V]{kind: opLen})
		if err != nil {
			if t.replace(err, l) {
				return 0, true, nil
			}
			return 0, false, t.wrap(err)
		}
		if r.epoch != l.epoch { // s counted before or after a Resize did its part
			return 0, true, nil
		}
		n += r.n
	}
	return n, false, nil
}

// Close stops the shards and waits until they have terminated or ctx ends (it
// then returns ctx's error; the shards still stop). From its call on,
// operations return [ErrClosed] and did not happen; operations already taken
// by a shard complete normally. Close does not wait for a [Table.Resize] or
// [Table.Range] under way before it stops the shards: that call ends
// (done, or failed because its shards stopped under it), and Close then
// stops the shards a Resize published meanwhile; when Close returns nil,
// every shard the table spawned has terminated. The table's data is dropped. Close may be
// called more than once and from any goroutine; every call waits for the
// shards. It must not be called from a reactor's handler (it blocks).
func (t *Table[K, V]) Close(ctx context.Context) error {
	if err := outside("close"); err != nil {
		return err
	}
	t.closed.Store(true)
	// Stop the shards before waiting for the admin token: its holder may
	// be waiting on them (an operation holding Resizes off, see steady,
	// whose shard awaits keys from a shard that died during a Resize
	// that failed halfway), and gets ErrClosed from them.
	first := t.cur.Load()
	tellStop(first.shards)
	if err := t.lock(ctx); err != nil {
		return err
	}
	l := t.cur.Load()
	t.unlock()
	if l != first { // a Resize published shards since: stop those (a second stop would be a dead letter)
		var more []server.Server[op[K, V], reply[V]]
		for _, s := range l.shards {
			if !slices.Contains(first.shards, s) {
				more = append(more, s)
			}
		}
		tellStop(more)
	}
	for _, s := range l.shards {
		select {
		case <-s.Done():
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return nil
}
