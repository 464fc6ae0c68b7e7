package router

import (
	"github.com/cespare/xxhash/v2"

	"github.com/reactors-go/reactors/internal/xxh64"
)

// Hash returns a policy that routes each event by a key, like Reactors.IO's
// Router.hash: events with equal keys go to the same member as long as the
// member set is the same.
//
// The key-to-target function is part of the documented behaviour and is
// frozen (a golden-values test pins it): for key k and n members the
// target is
//
//	xxhash64(seed 0) of k's 8 little-endian bytes, mod n
//
// It does not depend on the members' keys, only on their number, so
// adding or removing a member remaps about n/(n+1) of the keys; use
// [ConsistentHash] when only about 1/(n+1) may move. key is called once per
// pick, on the sender's goroutine, and must be safe for concurrent use;
// Hash panics if key is nil.
//
// [Policy.Pick] costs the key call plus one 8-byte xxhash and a modulo (a few
// nanoseconds) and allocates nothing. The policy is safe for concurrent
// use and holds no state.
func Hash[T any](key func(T) uint64) Policy[T] {
	if key == nil {
		panic("router: Hash: nil key function")
	}
	return &hashPolicy[T]{key: key}
}

type hashPolicy[T any] struct {
	key func(T) uint64
}

func (p *hashPolicy[T]) Pick(v T, m *Members) int {
	n := m.Len()
	if n == 0 {
		return None
	}
	return reduce(hashKey(p.key(v)), n)
}

// HashString is [Hash] for string keys: for key s and n members the target
// is xxhash.Sum64String(s) (xxhash64, seed 0, of s's bytes) mod n, frozen
// like Hash's. Note that HashString(f) and Hash(func(v T) uint64 {
// return KeyOf(f(v)) }) differ: Hash hashes the uint64 once more.
//
// [Policy.Pick] costs the key call plus one xxhash of the string (about 10ns for
// short keys, plus about 1ns per 8 bytes) and allocates nothing unless key does.
// The policy is safe for concurrent use and holds no state; HashString
// panics if key is nil.
func HashString[T any](key func(T) string) Policy[T] {
	if key == nil {
		panic("router: HashString: nil key function")
	}
	return PolicyFunc[T](func(v T, m *Members) int {
		n := m.Len()
		if n == 0 {
			return None
		}
		return reduce(xxhash.Sum64String(key(v)), n)
	})
}

// hashKey is the frozen hash of a uint64 key shared by [Hash] and
// [ConsistentHash]: xxhash64 (seed 0) of its 8 little-endian bytes,
// computed directly (internal/xxh64): the same values as [xxhash.Sum64]
// (the golden tests check both), in about a third of the time.
func hashKey(k uint64) uint64 { return xxh64.Uint64(k, 0) }
