package dht

import (
	"context"
	"fmt"
	"slices"

	"github.com/reactors-go/reactors/server"
)

// Resize changes the table's shard count to shards while the table
// serves: operations from any goroutine or reactor go on during the
// change, and none is lost, applied twice or answered with a stale value
// (operations stay linearizable per key). It returns when the new layout
// serves every key, the shards removed have stopped, and their names (see
// [WithName]) are free again.
//
// Placement is jump consistent hashing, so shards are added and removed
// at the end of the numbering: growing from n to m shards moves about
// (m-n)/m of the keys, each from an old shard to a new one, and none
// between old shards; shrinking from m to n moves exactly the keys of
// the removed shards, each to the shard it had before they were added.
//
// During the change each key is in exactly one shard's map and moves in
// one message; an operation on a moving key is held or placed again,
// never lost, and no user code runs (the keys' hashes travel with them).
// docs/design.md describes the hand-over.
//
// Resize waits for a Resize or [Table.Range] already running (one at a time),
// and for a blocking operation that earlier Resizes moved twice while it is
// placed again (see "Resharding" in the package doc). ctx bounds that wait and the spawn of new shards: if it ends first, Resize
// returns ctx's error and the table is unchanged. Once the new layout is
// published, Resize runs to its end whatever ctx does (it only waits for the
// shards, which are local reactors). It returns [ErrShards] if shards is less
// than 1, [ErrClosed] after [Table.Close], and the error of a shard's spawn
// (the table is then unchanged). It must not be called from a reactor's
// handler (it blocks).
//
// Cost: one spawn per shard added; a few messages per shard involved,
// plus one message per pair of old and new shard carrying the keys that
// move; memory for the keys in flight. Operations on moving keys wait
// for about one message hop; others do not wait at all.
func (t *Table[K, V]) Resize(ctx context.Context, shards int) error {
	if shards < 1 {
		return ErrShards
	}
	if err := outside("resize"); err != nil {
		return err
	}
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.unlock()
	if t.closed.Load() {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	old := t.cur.Load()
	switch n := len(old.shards); {
	case shards > n:
		return t.grow(ctx, old, shards)
	case shards < n:
		return t.shrink(old, shards)
	}
	return nil
}

// grow resizes from the layout old to m > len(old.shards) shards.
func (t *Table[K, V]) grow(ctx context.Context, old *layout[K, V], m int) error {
	n, epoch := len(old.shards), old.epoch+1
	added, shells, err := t.spawn(n, m, epoch, n) // each waits for all n old shards
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		stop(added)
		return context.Cause(ctx)
	}
	t.resizes.Add(1)
	t.cur.Store(&layout[K, V]{epoch: epoch, shards: slices.Concat(old.shards, added),
		shells: slices.Concat(old.shells, shells)})
	// From here on, the resize completes: nothing waits on ctx.
	hand := &control[K, V]{epoch: epoch, shards: m, to: added, first: n}
	for i, s := range old.shards {
		if err := t.control(s, op[K, V]{kind: opGrow, x: hand}); err != nil {
			return fmt.Errorf("dht: resize: shard %d: %w", i, err)
		}
	}
	return t.settle(added)
}

// shrink resizes from the layout old to m < len(old.shards) shards.
func (t *Table[K, V]) shrink(old *layout[K, V], m int) error {
	n, epoch := len(old.shards), old.epoch+1
	kept, retired := old.shards[:m:m], old.shards[m:]
	expect := &control[K, V]{epoch: epoch, shards: m, prev: n}
	for i, s := range kept {
		if err := t.control(s, op[K, V]{kind: opExpect, x: expect}); err != nil {
			return fmt.Errorf("dht: resize: shard %d: %w", i, err)
		}
	}
	t.resizes.Add(1)
	t.cur.Store(&layout[K, V]{epoch: epoch, shards: kept, shells: old.shells[:m:m]})
	// From here on no layout holds the retired shards: they stop when
	// the resize ends, also when it fails (Close stops the shards of the
	// layout only). A retired shard refuses every operation (errMoved)
	// until it stops; operations that reach it after that fail as sent
	// to a stopped shard, and the table places them again too.
	defer stop(retired)
	hand := &control[K, V]{epoch: epoch, shards: m, to: kept, first: 0}
	for i, s := range retired {
		if err := t.control(s, op[K, V]{kind: opDrain, x: hand}); err != nil {
			return fmt.Errorf("dht: resize: shard %d: %w", m+i, err)
		}
	}
	return t.settle(kept)
}

// settle waits until the shards ss have every key handed to them.
func (t *Table[K, V]) settle(ss []server.Server[op[K, V], reply[V]]) error {
	for _, s := range ss {
		if err := t.control(s, op[K, V]{kind: opSettle}); err != nil {
			return fmt.Errorf("dht: resize: %w", err)
		}
	}
	return nil
}

// control runs the control operation o on the shard s and waits for its
// answer, whatever the caller's context does.
func (t *Table[K, V]) control(s server.Server[op[K, V], reply[V]], o op[K, V]) error {
	_, err := server.Ask(context.Background(), s, o)
	return err
}
