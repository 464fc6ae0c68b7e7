package dht

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/server"
)

// Table is a hash table of K to V split over a fixed number of shard
// reactors. Each shard owns a plain map; an operation on key k is one
// request to shard Jump(key(k), shards) and one reply.
//
// Operations come in two forms: the blocking form (Get, Put, ...) for
// plain goroutines, which takes a context, and the In form (GetIn,
// PutIn, ...) for reactor handlers, which returns an IVar. MultiGet and
// MultiPut batch many keys into one request per shard involved (see
// "Batches" in the package documentation). All methods
// are safe for concurrent use. A Table must not be copied.
//
// Consistency: each shard applies its operations one at a time, so every
// operation on one key is atomic and takes effect at one instant between
// its call and its return; operations of one caller on one shard are
// applied in the order called. Len visits the shards one after another
// and is not a snapshot.
//
// Context expiry: if ctx ends before an operation's reply is taken, the
// operation returns ctx's error (context.Cause) and has not happened: it
// was either never sent, or its shard applies it, finds its reply
// refused, and reverts it in the same turn, before any other operation
// of the shard can see it. If the reply was taken as ctx ended, the
// operation returns its result.
type Table[K comparable, V any] struct {
	key    KeyFunc[K]
	shards []server.Server[op[K, V], reply[V]]
	closed atomic.Bool
}

// Option configures New.
type Option func(*config)

type config struct {
	name string
}

// WithName names the shard reactors name-0, name-1, ..., so that they
// appear by name in logs and dead letters and are registered in the
// system's names (see reactor.WithName); names must be unique among the
// system's live reactors.
func WithName(name string) Option {
	return func(c *config) { c.name = name }
}

// New starts a table of shards shard reactors in sys, placing keys with
// key. It returns ErrShards if shards is less than 1, ErrNilFunc if key
// is nil, or the error of a shard's spawn (the shards already started
// are then stopped).
//
// Cost: one reactor per shard, an empty map each and no goroutine (an
// idle reactor owns none). The shard count is fixed for the table's
// life.
func New[K comparable, V any](sys *reactor.System, shards int, key KeyFunc[K], opts ...Option) (*Table[K, V], error) {
	if shards < 1 {
		return nil, ErrShards
	}
	if key == nil {
		return nil, ErrNilFunc
	}
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	t := &Table[K, V]{key: key, shards: make([]server.Server[op[K, V], reply[V]], 0, shards)}
	for i := range shards {
		var sopts []reactor.SpawnOption
		if cfg.name != "" {
			sopts = append(sopts, reactor.WithName(cfg.name+"-"+strconv.Itoa(i)))
		}
		ch, err := reactor.Spawn(sys, shardBody[K, V], sopts...)
		if err != nil {
			_ = t.Close(context.Background())
			return nil, err
		}
		t.shards = append(t.shards, ch)
	}
	return t, nil
}

// shardBody is the reactor shell of a shard: it serves requests with the
// pure core and reverts an operation whose reply is refused.
//
// It reads requests itself rather than through server.Serve because it
// needs Respond's error (to revert an operation nobody will learn of)
// and its own connector (to seal it on Close).
func shardBody[K comparable, V any](r *reactor.Reactor[server.Request[op[K, V], reply[V]]]) {
	s := &shard[K, V]{m: make(map[K]V)}
	main := r.Main()
	main.Events().OnEvent(func(req server.Request[op[K, V], reply[V]]) {
		if req.Value.kind == opStop {
			main.Seal() // queued requests are dead-lettered; their askers get ErrClosed
			_ = req.Respond(reply[V]{})
			return
		}
		rep, err := s.apply(req.Value)
		if err != nil {
			_ = req.Fail(err)
			return
		}
		if req.Respond(rep) != nil { // the asker gave up or is gone
			s.undo(req.Value, rep)
		}
	})
}

// Shards returns the table's shard count.
func (t *Table[K, V]) Shards() int { return len(t.shards) }

// Shard returns the shard of k: Jump(key(k), Shards()). It fails only
// with ErrUserPanic, if the key function panics.
func (t *Table[K, V]) Shard(k K) (int, error) {
	return t.place(k)
}

// place returns k's shard, catching a panic of the key function so that
// it fails this operation only. It runs on the caller's goroutine,
// before anything is sent.
func (t *Table[K, V]) place(k K) (i int, err error) {
	defer func() {
		if p := recover(); p != nil {
			i, err = 0, userPanic("key function", p)
		}
	}()
	return Jump(t.key(k), len(t.shards)), nil
}

// ask runs o on shard i from a plain goroutine.
func (t *Table[K, V]) ask(ctx context.Context, i int, o op[K, V]) (reply[V], error) {
	if t.closed.Load() {
		return reply[V]{}, ErrClosed
	}
	r, err := server.Ask(ctx, t.shards[i], o)
	return r, t.wrap(err)
}

// keyed runs o on k's shard from a plain goroutine.
func (t *Table[K, V]) keyed(ctx context.Context, o op[K, V]) (reply[V], error) {
	i, err := t.place(o.key)
	if err != nil {
		return reply[V]{}, err
	}
	return t.ask(ctx, i, o)
}

// wrap turns the errors of a shard that Close stopped into ErrClosed.
func (t *Table[K, V]) wrap(err error) error {
	if err == nil || !t.closed.Load() {
		return err
	}
	if errors.Is(err, reactor.ErrSealed) || errors.Is(err, reactor.ErrTerminated) ||
		errors.Is(err, server.ErrServerTerminated) {
		return ErrClosed
	}
	return err
}

// Get returns k's value and whether k is present.
//
// Like every blocking operation of Table, Get must be called from a
// plain goroutine, never from a reactor's handler (use GetIn there). It
// blocks until its shard's reply or the end of ctx; when the shard is
// idle, its turn runs on the caller's goroutine (server.Ask). It returns
// ErrClosed after Close, ErrUserPanic if the key function panics,
// ctx's error if ctx ends first, or the error of a shard terminated
// otherwise (the system shut down). The shard's turn synchronizes before
// Get returns. A sequential call sends one message and allocates nothing
// beyond what the key function allocates.
func (t *Table[K, V]) Get(ctx context.Context, k K) (V, bool, error) {
	r, err := t.keyed(ctx, op[K, V]{kind: opGet, key: k})
	return r.val, r.ok, err
}

// Put sets k to v and returns the previous value and whether there was
// one. It blocks and fails like Get; on error the table is unchanged.
func (t *Table[K, V]) Put(ctx context.Context, k K, v V) (prev V, had bool, err error) {
	r, err := t.keyed(ctx, op[K, V]{kind: opPut, key: k, val: v})
	return r.val, r.ok, err
}

// Delete removes k and returns its value and whether it was present. It
// blocks and fails like Get; on error the table is unchanged.
func (t *Table[K, V]) Delete(ctx context.Context, k K) (prev V, had bool, err error) {
	r, err := t.keyed(ctx, op[K, V]{kind: opDelete, key: k})
	return r.val, r.ok, err
}

// CompareAndSwap sets k to new if k is present and eq(current, old)
// reports true, and reports whether it did. An absent key is never
// swapped. eq runs in k's shard, once, and must not block; if it panics,
// CompareAndSwap returns an error matching ErrUserPanic, the table is
// unchanged and the shard goes on serving with all its data. A nil eq
// returns ErrNilFunc. Otherwise CompareAndSwap blocks and fails like
// Get; on error the table is unchanged.
//
// For comparable V, pass Equal.
func (t *Table[K, V]) CompareAndSwap(ctx context.Context, k K, old, new V, eq func(a, b V) bool) (swapped bool, err error) {
	if eq == nil {
		return false, ErrNilFunc
	}
	r, err := t.keyed(ctx, op[K, V]{kind: opCAS, key: k, val: new, old: old, eq: eq})
	return r.ok, err
}

// Equal reports whether a == b: the equality of CompareAndSwap for
// comparable values.
func Equal[V comparable](a, b V) bool { return a == b }

// Len returns the number of keys: the sum of the shards' counts, each
// taken at its own moment (one request per shard, in shard order), so
// under concurrent writes it is not a snapshot. It blocks and fails like
// Get.
func (t *Table[K, V]) Len(ctx context.Context) (int, error) {
	n := 0
	for i := range t.shards {
		r, err := t.ask(ctx, i, op[K, V]{kind: opLen})
		if err != nil {
			return 0, err
		}
		n += r.n
	}
	return n, nil
}

// Close stops the shards and waits until they have terminated or ctx
// ends (it then returns ctx's error; the shards still stop). From its
// call on, operations return ErrClosed and did not happen; operations
// already taken by a shard complete normally. The table's data is
// dropped. Close may be called more than once and from any goroutine;
// every call waits for the shards. It must not be called from a
// reactor's handler (it blocks).
func (t *Table[K, V]) Close(ctx context.Context) error {
	if !t.closed.Swap(true) {
		for _, s := range t.shards {
			_ = server.Tell(s, op[K, V]{kind: opStop}) // an error: already terminated
		}
	}
	for _, s := range t.shards {
		select {
		case <-s.Done():
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return nil
}
