// Package dht is a sharded key-value table built from reactors: a
// [Table][K, V] splits its keys over a fixed number of shard reactors, each
// owning a plain Go map that needs no lock because only its reactor
// touches it. Operations are requests to one shard (package server):
// from plain goroutines they block on a context, from reactor handlers
// they return an IVar.
//
//	t, _ := dht.New[string, int](sys, 32, dht.StringKey)
//	defer t.Close(ctx)
//	prev, had, err := t.Put(ctx, "a", 1)
//	v, ok, err := t.Get(ctx, "a")
//
// # Placement
//
// The shard of a key is a frozen function, part of the documented
// behaviour and pinned by golden values in the tests: a [KeyFunc] hashes
// the key's bytes with xxhash64 and the fixed seed [Seed] ([StringKey],
// [BytesKey], [IntKey] and [UintKey] define the bytes of common key types),
// and [Jump] (Lamping and Veach's jump consistent hash) maps the hash to
// one of n shards. Unlike Reactors.IO's h % n, going from n to n+1
// shards moves only about 1/(n+1) of the keys, all to the new shard.
//
// # Resharding
//
// [Table.Resize] changes the shard count while clients run. Shards are added and
// removed at the end of the numbering (jump hashing allows nothing
// else), and only the keys whose shard changes move, each in one message
// from its old shard to its new one. No write is lost or applied twice,
// and no read returns a value older than an acknowledged write:
//
//   - A layout (the shard list, with an epoch) is published atomically;
//     callers place operations with the layout they read, and carry its
//     epoch.
//   - A shard that lost a key refuses operations on it that were placed
//     with an older layout (they did not happen), and the table places
//     them again with the current one: at most one extra round trip per
//     operation and resize. A blocking operation (Get, Put, Delete,
//     CompareAndSwap, Len, MultiGet, MultiPut) that resizes moved twice
//     holds the next resize off while it is placed again (that resize
//     waits about one round trip, one per shard for Len), so
//     back-to-back resizes cannot keep moving it: it completes, as far
//     as its shards answer. The In forms, which must not block a
//     reactor, are placed again at each resize that moves them.
//   - A shard that gains keys holds operations on them, in arrival
//     order, until the shard they come from has handed them over; other
//     keys are served at once.
//
// The linearizability of histories recorded across resizes, with
// expiring deadlines, batches and In forms, is checked in the tests with
// a linearizability checker (porcupine).
//
// # Snapshots
//
// [Table.Range] calls a function for every key of a consistent snapshot: the
// table's content at one instant. It holds each shard in turn (the shard
// copies its map and holds data operations), and lets them all go once
// every shard is held. Range and Resize run one at a time.
//
// # Guarantees
//
//   - Every operation on a key is atomic: its shard applies it in one
//     step between the call and the return (so operations on one key are
//     linearizable, also across Resize). Operations of one caller on one
//     shard apply in the order called; nothing orders operations of
//     different shards. Range is a snapshot; [Table.Len] is not (it is exact only
//     when no write runs).
//   - An operation that returns an error did not change the table: after
//     [Table.Close] ([ErrClosed]), after a panic in user code
//     ([ErrUserPanic]), and after the end of its context (the shard reverts
//     an operation whose reply its caller no longer takes).
//   - A panic in user code fails that operation only. The key function
//     runs on the caller's goroutine. [Table.CompareAndSwap]'s equality and the
//     map's hashing of interface keys run in the shard, before the
//     operation changes anything; the shard catches their panic and keeps
//     serving with all its data.
//
// # Cost
//
// No goroutine is started. A blocking operation on an idle shard is
// applied on the caller's goroutine, as a step of the shard's reactor
// ([reactor.Channel.RunIfIdle]): no message, no reply, no goroutine
// switch. On a busy shard it is one request and one reply ([server.Ask]).
// A sequential blocking operation allocates nothing beyond what its key
// function allocates. In forms are always a request and a reply.
//
// # Batches
//
// [Table.MultiGet] and [Table.MultiPut] (and [Table.MultiGetIn],
// [Table.MultiPutIn]) group their items by shard on the caller's side and
// send one message per shard involved, to all of them before waiting for any
// reply; the blocking forms apply the parts of idle shards on the caller's
// goroutine instead, as steps of those shards' reactors, with no message.
// Each shard applies its part in one turn, so a batch is atomic per shard,
// not as a whole: nothing orders the parts of different shards.
//
//   - Items apply in batch order within each shard, as single Gets or
//     Puts would. A key given twice lands on one shard: a MultiPut of
//     k=1 then k=2 leaves k at 2, the first item's result being k's value
//     before the batch and the second's being 1; a MultiGet of k twice
//     returns k's value twice.
//   - The key function runs once per item, on the caller's goroutine,
//     before anything is sent; if it panics, the call fails with
//     ErrUserPanic and sends nothing. An empty batch sends nothing.
//   - An error that is not a [*BatchError] means that no shard applied its
//     part: the table is unchanged. A *BatchError means that some shards
//     applied their parts and others did not; its Applied says which
//     items took effect, and their results come beside it.
//   - A part whose reply its caller no longer takes (ctx ended, or the
//     asking reactor terminated) is undone by its shard in the same turn,
//     last item first, like a single operation: it did not happen. A part
//     that fails in its shard (the map's hashing of an interface key
//     panicked) is undone likewise and fails with ErrUserPanic.
//
// # Not here
//
// Shards live in one process: the remote package's Table spreads a table
// over several nodes (it is built on this package, which imports no
// NATS), and [Store] is the interface both satisfy. There are no In forms
// of Range and Resize (they block), and Range and Resize exclude each
// other.
package dht
