// Package xxh64 computes XXH64 of one 8-byte input directly: the hash of
// a uint64 key's 8 little-endian bytes, as xxhash's digest would compute
// it, in about 2 ns instead of a digest's 20. Router and dht placement
// hashes are frozen on these values; the tests check them against a
// digest.
package xxh64

import "math/bits"

// The primes of XXH64.
const (
	prime1 uint64 = 11400714785074694791
	prime2 uint64 = 14029467366897019727
	prime3 uint64 = 1609587929392839161
	prime4 uint64 = 9650029242287828579
	prime5 uint64 = 2870177450012600261
)

// Uint64 returns XXH64 with seed seed of x's 8 little-endian bytes: one
// lane round, then the final mix. It allocates nothing and is safe for
// concurrent use.
func Uint64(x, seed uint64) uint64 {
	h := seed + prime5 + 8
	h ^= bits.RotateLeft64(x*prime2, 31) * prime1
	h = bits.RotateLeft64(h, 27)*prime1 + prime4
	h ^= h >> 33
	h *= prime2
	h ^= h >> 29
	h *= prime3
	h ^= h >> 32
	return h
}
