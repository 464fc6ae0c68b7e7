package dht

import (
	"context"

	"github.com/reactors-go/reactors/server"
)

// Range calls f for every key of a snapshot of the table and its value,
// in no particular order, until f returns false. The snapshot is
// consistent: it is the table's content at one instant between Range's
// call and its return, so it holds the effect of every operation that
// returned before Range was called, and of an operation that returned
// after another was called, it never shows the later without the
// earlier.
//
// How: Range holds every shard in turn. A held shard copies its map and
// then holds every data operation (in arrival order) until Range lets it
// go, which it does once all shards are held: at that instant the copies
// are the whole table. f runs after that, on the caller's goroutine,
// while the table serves again, so f may use the table.
//
// Range waits for a [Table.Resize] or Range already running (one at a time),
// or for a blocking operation holding Resizes off (see "Resharding" in the
// package doc), and blocks until every shard has been held, or until ctx ends: it then
// returns ctx's error, lets the shards go, and calls f for nothing. It
// returns [ErrClosed] after [Table.Close], and [ErrNilFunc] at once, holding
// nothing, if f is nil. It must not be called from a reactor's handler (it
// blocks).
//
// Cost: one message and reply per shard, a copy of every key and value
// (memory of the table's size until Range returns); operations wait for
// as long as it takes to hold the shards after theirs (a few
// microseconds per shard when the shards are idle).
func (t *Table[K, V]) Range(ctx context.Context, f func(k K, v V) bool) error {
	if f == nil {
		return ErrNilFunc
	}
	if err := outside("range"); err != nil {
		return err
	}
	copies, err := t.snapshot(ctx)
	if err != nil {
		return err
	}
	for _, c := range copies {
		for _, kv := range c {
			if !f(kv.Key, kv.Value) {
				return nil
			}
		}
	}
	return nil
}

// snapshot holds every shard, takes their copies, and lets them go.
func (t *Table[K, V]) snapshot(ctx context.Context) ([][]KV[K, V], error) {
	if t.closed.Load() {
		return nil, ErrClosed
	}
	if err := t.lock(ctx); err != nil {
		return nil, err
	}
	defer t.unlock()
	l := t.cur.Load()
	copies := make([][]KV[K, V], 0, len(l.shards))
	defer func() { // let the held shards go, all of them, whatever happened
		for _, s := range l.shards[:len(copies)] {
			_ = server.Tell(s, op[K, V]{kind: opRelease}) // an error: the shard stopped
		}
	}()
	for _, s := range l.shards {
		c := &control[K, V]{}
		// A hold whose reply Ask did not take is undone by the shard.
		if _, err := t.ask(ctx, l, s, op[K, V]{kind: opHold, x: c}); err != nil {
			return nil, t.wrap(err)
		}
		copies = append(copies, c.snap)
	}
	return copies, nil
}
