// Package relaxed stores counters that one goroutine writes and any
// goroutine reads, without the full fence of an atomic store.
//
// On amd64 every atomic store is a locked exchange (about 20 cycles, and
// it drains the store buffer); a plain store of an aligned word costs one
// cycle and is already a release store there. Go's memory model keeps a
// racy word-sized read from seeing a torn value: it sees some value that
// was written. So a counter with a single writer, read elsewhere with an
// atomic load, may be written with a plain store when a reader can live
// with a value a few nanoseconds old. Figures for introspection are such
// counters: see reactor's frame counters and dht's shard figures.
//
// Race builds store atomically instead, so that the race detector sees
// every access as synchronized and checks the rest of the program.
//
// Use it only for statistics, or for a hint whose readers can live with
// a stale value because a full fence that follows the store (a mutex's
// unlock, an atomic store) settles every race that matters (see the idle
// count of package sched): a plain store orders nothing, so no other
// memory may be published through it.
package relaxed
