// Package dht is a sharded key-value table built from reactors: a
// Table[K, V] splits its keys over a fixed number of shard reactors, each
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
// behaviour and pinned by golden values in the tests: a KeyFunc hashes
// the key's bytes with xxhash64 and the fixed seed Seed (StringKey,
// BytesKey, IntKey and UintKey define the bytes of common key types),
// and Jump (Lamping and Veach's jump consistent hash) maps the hash to
// one of n shards. Unlike Reactors.IO's h % n, going from n to n+1
// shards moves only about 1/(n+1) of the keys, all to the new shard.
//
// # Guarantees
//
//   - Every operation on a key is atomic: its shard applies it in one
//     step between the call and the return (so operations on one key are
//     linearizable). Operations of one caller on one shard apply in the
//     order called; nothing orders operations of different shards, and
//     Len is not a snapshot.
//   - An operation that returns an error did not change the table: after
//     Close (ErrClosed), after a panic in user code (ErrUserPanic), and
//     after the end of its context (the shard reverts an operation whose
//     reply its caller no longer takes).
//   - A panic in user code fails that operation only. The key function
//     runs on the caller's goroutine. CompareAndSwap's equality and the
//     map's hashing of interface keys run in the shard, before the
//     operation changes anything; the shard catches their panic and keeps
//     serving with all its data.
//
// # Cost
//
// One message and one reply per operation, no goroutine started. A
// goroutine that operates on an idle shard runs the shard's turn itself
// (server.Ask), with no goroutine switch, and a sequential blocking
// operation allocates nothing beyond what its key function allocates.
//
// # Not yet
//
// The shard count is fixed for a table's life: there is no online
// resharding, no batch operation (MultiGet, MultiPut) and no Range.
package dht
