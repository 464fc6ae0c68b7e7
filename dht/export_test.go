package dht

import (
	"context"

	"github.com/reactors-go/reactors/server"
)

// ShardBacklog returns about how many messages wait in shard i's
// mailbox (reactor.Channel.Len), for tests that count the messages an
// operation sends to a shard held busy.
func ShardBacklog[K comparable, V any](t *Table[K, V], i int) int {
	return t.cur.Load().shards[i].Len()
}

// ShardLen returns how many keys shard i of t's current layout holds,
// for tests that check where keys live after a Resize.
func ShardLen[K comparable, V any](t *Table[K, V], i int) (int, error) {
	l := t.cur.Load()
	r, err := t.ask(context.Background(), l, l.shards[i], op[K, V]{kind: opLen})
	return r.n, err
}

// SetPlacing makes f run at every placement of a blocking operation (a
// single-key one, a round of a batch, a try of Len), after it read the
// table's layout (held: the placement holds Resizes off), until the
// test ends.
func SetPlacing(t interface{ Cleanup(func()) }, f func(held bool)) {
	placing = f
	t.Cleanup(func() { placing = nil })
}

// AdminHeld reports whether t's admin token is taken (by a Resize, a
// Range, a Close or an operation holding Resizes off).
func AdminHeld[K comparable, V any](t *Table[K, V]) bool { return len(t.admin) == 1 }

// StopShard stops shard i of t's current layout behind the table's back,
// as a shard that died would be gone, and waits until it has stopped.
func StopShard[K comparable, V any](t *Table[K, V], i int) {
	s := t.cur.Load().shards[i]
	tellStop([]server.Server[op[K, V], reply[V]]{s})
	<-s.Done()
}
