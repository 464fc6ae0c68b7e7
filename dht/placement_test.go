package dht_test

import (
	"encoding/binary"
	"math"
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/dht"
)

// goldenN are the shard counts of the golden tables.
var goldenN = [6]int{1, 2, 3, 8, 32, 1000}

// The golden values pin the frozen key-to-shard function: the placement
// hash is xxhash64 with seed dht.Seed of the key's bytes (8 little-endian
// bytes for integers), checked against xxh64 below, an implementation
// written from the XXH64 specification; the shard is dht.Jump of that
// hash. Changing any of them moves keys in every deployed table.
var goldenString = []struct {
	key    string
	hash   uint64
	shards [6]int // for goldenN
}{
	{"", 0xc4349fc93c010000, [6]int{0, 0, 0, 7, 7, 583}},
	{"a", 0x9a7c6d2ea45568c9, [6]int{0, 0, 0, 0, 31, 762}},
	{"user-42", 0x7222a2b7fa1a9612, [6]int{0, 0, 2, 2, 18, 234}},
	{"reactor#main", 0x75a665e6359c362a, [6]int{0, 0, 0, 4, 11, 280}},
	{"hello, world", 0x41b401eeced6746e, [6]int{0, 0, 0, 0, 22, 326}},
}

var goldenInt = []struct {
	key    int64
	hash   uint64
	shards [6]int
}{
	{0, 0x1722e35ebbc1e9a0, [6]int{0, 1, 2, 4, 10, 442}},
	{1, 0x163ea2ab8fe9fc28, [6]int{0, 1, 2, 7, 24, 450}},
	{-1, 0xab26e9f49dee09d0, [6]int{0, 0, 0, 7, 22, 557}},
	{42, 0xf92a4389bd62ee57, [6]int{0, 1, 1, 6, 16, 659}},
	{math.MinInt64, 0x4031e33709136d74, [6]int{0, 0, 0, 4, 9, 275}},
}

var goldenUint = []struct {
	key    uint64
	hash   uint64
	shards [6]int
}{
	{0, 0x1722e35ebbc1e9a0, [6]int{0, 1, 2, 4, 10, 442}},
	{1, 0x163ea2ab8fe9fc28, [6]int{0, 1, 2, 7, 24, 450}},
	{42, 0xf92a4389bd62ee57, [6]int{0, 1, 1, 6, 16, 659}},
	{1 << 32, 0x234409a17b0d561c, [6]int{0, 1, 2, 7, 7, 951}},
	{math.MaxUint64, 0xab26e9f49dee09d0, [6]int{0, 0, 0, 7, 22, 557}},
}

func TestPlacementGoldenString(t *testing.T) {
	for _, g := range goldenString {
		require.Equal(t, g.hash, dht.StringKey(g.key), "StringKey(%q)", g.key)
		require.Equal(t, g.hash, dht.HashString(g.key), "HashString(%q)", g.key)
		require.Equal(t, g.hash, dht.BytesKey([]byte(g.key)), "BytesKey(%q)", g.key)
		require.Equal(t, g.hash, xxh64([]byte(g.key), dht.Seed), "spec xxh64(%q)", g.key)
		for j, n := range goldenN {
			require.Equal(t, g.shards[j], dht.Jump(g.hash, n), "key %q, %d shards", g.key, n)
		}
	}
}

func TestPlacementGoldenIntegers(t *testing.T) {
	for _, g := range goldenInt {
		require.Equal(t, g.hash, dht.IntKey(g.key), "IntKey(%d)", g.key)
		require.Equal(t, g.hash, xxh64(le(uint64(g.key)), dht.Seed), "spec xxh64(%d)", g.key)
		for j, n := range goldenN {
			require.Equal(t, g.shards[j], dht.Jump(g.hash, n), "key %d, %d shards", g.key, n)
		}
	}
	for _, g := range goldenUint {
		require.Equal(t, g.hash, dht.UintKey(g.key), "UintKey(%d)", g.key)
		require.Equal(t, g.hash, xxh64(le(g.key), dht.Seed), "spec xxh64(%d)", g.key)
		for j, n := range goldenN {
			require.Equal(t, g.shards[j], dht.Jump(g.hash, n), "key %d, %d shards", g.key, n)
		}
	}
	// Widths and named types do not change placement.
	type userID int32
	require.Equal(t, dht.IntKey(int64(-1)), dht.IntKey(int32(-1)))
	require.Equal(t, dht.IntKey(int64(7)), dht.IntKey(userID(7)))
	require.Equal(t, dht.UintKey(uint64(7)), dht.UintKey(uint8(7)))
}

// TestJumpPublishedVectors checks Jump against the test vectors published
// with other implementations of the algorithm.
func TestJumpPublishedVectors(t *testing.T) {
	for _, v := range []struct {
		h      uint64
		shards int
		want   int
	}{
		{1, 1, 0}, {42, 57, 43}, {0xDEAD10CC, 1, 0}, {0xDEAD10CC, 666, 361},
		{256, 1024, 520}, {0, 1, 0}, {3, 1, 0}, {0, 2, 0}, {4, 2, 1}, {7, 2, 0},
		{1, 128, 55}, {129, 128, 120}, {128, 100000000, 38172097},
		{128, 2147483648, 1644467860}, {math.MaxUint64, 128, 92},
		{0xDEAD10CC, 0, 0}, {0xDEAD10CC, -666, 0},
	} {
		require.Equal(t, v.want, dht.Jump(v.h, v.shards), "Jump(%#x, %d)", v.h, v.shards)
	}
}

// TestJumpMovesOneOverNPlusOne: going from n to n+1 shards moves about
// 1/(n+1) of 100,000 keys, each to the new shard n, and the shards stay
// balanced.
func TestJumpMovesOneOverNPlusOne(t *testing.T) {
	const keys = 100_000
	hashes := make([]uint64, keys)
	for i := range hashes {
		hashes[i] = dht.IntKey(i)
	}
	for n := 1; n <= 64; n++ {
		moved := 0
		count := make([]int, n+1)
		for _, h := range hashes {
			from, to := dht.Jump(h, n), dht.Jump(h, n+1)
			count[to]++
			if from != to {
				moved++
				require.Equal(t, n, to, "a moved key goes to the new shard (n=%d)", n)
			}
		}
		frac := float64(moved) / keys
		require.InDelta(t, 1/float64(n+1), frac, 0.02, "moved fraction from %d to %d shards", n, n+1)
		for s, c := range count {
			require.InDelta(t, float64(keys)/float64(n+1), float64(c), 0.1*float64(keys)/float64(n+1)+200,
				"shard %d of %d holds %d keys", s, n+1, c)
		}
	}
}

func TestPlacementAllocatesNothing(t *testing.T) {
	s, b := "some-key-of-moderate-length", []byte("bytes")
	require.Zero(t, testing.AllocsPerRun(100, func() {
		_ = dht.Jump(dht.StringKey(s), 32) + dht.Jump(dht.BytesKey(b), 32) +
			dht.Jump(dht.IntKey(-5), 32) + dht.Jump(dht.UintKey(uint16(5)), 32)
	}))
}

// le returns x's 8 little-endian bytes.
func le(x uint64) []byte { return binary.LittleEndian.AppendUint64(nil, x) }

// xxh64 is XXH64 written from its specification, for inputs shorter than
// 32 bytes (the golden keys), as an independent check of HashBytes.
func xxh64(b []byte, seed uint64) uint64 {
	const (
		p1 uint64 = 11400714785074694791
		p2 uint64 = 14029467366897019727
		p3 uint64 = 1609587929392839161
		p4 uint64 = 9650029242287828579
		p5 uint64 = 2870177450012600261
	)
	if len(b) >= 32 {
		panic("xxh64: long inputs not implemented")
	}
	h := seed + p5 + uint64(len(b))
	for ; len(b) >= 8; b = b[8:] {
		k := bits.RotateLeft64(binary.LittleEndian.Uint64(b)*p2, 31) * p1
		h ^= k
		h = bits.RotateLeft64(h, 27)*p1 + p4
	}
	if len(b) >= 4 {
		h ^= uint64(binary.LittleEndian.Uint32(b)) * p1
		h = bits.RotateLeft64(h, 23)*p2 + p3
		b = b[4:]
	}
	for _, c := range b {
		h ^= uint64(c) * p5
		h = bits.RotateLeft64(h, 11) * p1
	}
	h ^= h >> 33
	h *= p2
	h ^= h >> 29
	h *= p3
	h ^= h >> 32
	return h
}

// TestIntegerHashIsHashBytes checks the 8-byte fast path of IntKey and
// UintKey against HashBytes of the same bytes.
func TestIntegerHashIsHashBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 100_000 {
		x := rng.Uint64()
		if i < 64 {
			x = 1 << i
		}
		require.Equal(t, dht.HashBytes(le(x)), dht.UintKey(x), "%#x", x)
		require.Equal(t, dht.HashBytes(le(x)), dht.IntKey(int64(x)), "%#x", x)
	}
}
