package dht

import (
	"github.com/cespare/xxhash/v2"

	"github.com/reactors-go/reactors/internal/xxh64"
)

// Seed is the fixed xxhash seed of placement. It is part of the frozen
// key-to-shard function and never changes.
//
// It is not 0 on purpose: package router hashes keys with seed 0, and a
// table fed through a router keyed on the same bytes would otherwise see
// shard choices correlated with the router's target choices.
const Seed uint64 = 0x9e3779b97f4a7c15

// KeyFunc returns a key's placement hash. The frozen placement of key k
// among n shards is Jump(key(k), n).
//
// Use [StringKey], [BytesKey], [IntKey] or [UintKey], whose hashes are frozen
// (golden-tested), or build one over [HashBytes] for other key types,
// hashing a fixed encoding of the key. A KeyFunc must be deterministic
// (equal keys, equal hashes) and safe for concurrent use: tables call it
// on the caller's goroutine, once per operation. If it panics, that
// operation fails with an error matching [ErrUserPanic].
type KeyFunc[K any] func(k K) uint64

// HashBytes returns the placement hash of b: xxhash64 of b with seed
// [Seed]. It is frozen. It costs about 1ns per 8 bytes plus about 20ns and
// allocates nothing.
func HashBytes(b []byte) uint64 {
	var d xxhash.Digest
	d.ResetWithSeed(Seed)
	_, _ = d.Write(b)
	return d.Sum64()
}

// HashString returns the placement hash of s's bytes: [HashBytes] of
// []byte(s), without the conversion. It allocates nothing.
func HashString(s string) uint64 {
	var d xxhash.Digest
	d.ResetWithSeed(Seed)
	_, _ = d.WriteString(s)
	return d.Sum64()
}

// hashUint64 is the placement hash of x's 8 little-endian bytes:
// [HashBytes] of them, computed directly (internal/xxh64).
func hashUint64(x uint64) uint64 { return xxh64.Uint64(x, Seed) }

// StringKey is the [KeyFunc] of string keys: [HashString] of the key.
func StringKey[K ~string](k K) uint64 { return HashString(string(k)) }

// BytesKey is the [KeyFunc] of byte-slice keys: [HashBytes] of the key.
// Byte slices are not comparable, so [Table] cannot hold them as keys;
// BytesKey places them for code that shards by [Jump] itself, and it
// hashes exactly as [StringKey] does for the same bytes.
func BytesKey[K ~[]byte](k K) uint64 { return HashBytes(k) }

// IntKey is the [KeyFunc] of signed integer keys: [HashBytes] of the 8
// little-endian bytes of int64(k) (two's complement), so that int32(-1)
// and int64(-1) are placed alike.
func IntKey[K ~int | ~int8 | ~int16 | ~int32 | ~int64](k K) uint64 {
	return hashUint64(uint64(int64(k)))
}

// UintKey is the [KeyFunc] of unsigned integer keys: [HashBytes] of the 8
// little-endian bytes of uint64(k). For values below 1<<63 it agrees
// with [IntKey].
func UintKey[K ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr](k K) uint64 {
	return hashUint64(uint64(k))
}

// Jump returns the shard in [0, shards) of a key whose placement hash is
// h: Lamping and Veach's jump consistent hash ("A Fast, Minimal Memory,
// Consistent Hash Algorithm", 2014). It is frozen: the same (h, shards)
// gives the same shard in every version and on every platform (the
// float64 steps are single, explicitly converted operations, which Go
// never fuses). It returns 0 when shards is less than 2, and it is meant
// for shard counts below 1<<31.
//
// Going from n to n+1 shards moves a key only to the new shard n, and
// moves about 1/(n+1) of the keys; going from n+1 to n moves back exactly
// the keys of shard n. Shards can therefore only be added or removed at
// the end of the numbering.
//
// Jump takes about ln(shards) steps of a few nanoseconds each, allocates
// nothing and is safe for concurrent use.
func Jump(h uint64, shards int) int {
	b, j := int64(-1), int64(0)
	for j < int64(shards) {
		b = j
		h = h*2862933555777941757 + 1
		j = int64(float64(b+1) * (float64(int64(1)<<31) / float64((h>>33)+1)))
	}
	if b < 0 {
		return 0
	}
	return int(b)
}
