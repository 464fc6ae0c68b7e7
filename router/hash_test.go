package router_test

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cespare/xxhash/v2"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/router"
)

// hashGoldenN are the member counts of the golden tables.
var hashGoldenN = [6]int{1, 2, 3, 4, 7, 16}

// The golden values pin the frozen key-to-target function. The raw hash
// is xxhash64 (seed 0) of the key's 8 little-endian bytes (of the
// string's bytes for HashString); the values were checked against an
// independent implementation of XXH64 written from its specification.
// Changing any of them breaks every deployment that shards by key.
var hashGolden = []struct {
	key     uint64
	hash    uint64
	targets [6]int // for hashGoldenN
}{
	{0, 0x34c96acdcadb1bbb, [6]int{0, 1, 2, 3, 3, 11}},
	{1, 0x9f29cb17a2a49995, [6]int{0, 1, 1, 1, 4, 5}},
	{2, 0xeac73e4044e82db0, [6]int{0, 0, 0, 0, 2, 0}},
	{42, 0xb556806fb6d14353, [6]int{0, 1, 0, 3, 4, 3}},
	{1 << 32, 0xca6084df268ea2a9, [6]int{0, 1, 0, 1, 0, 9}},
	{0xdeadbeef, 0x3396f1a59cb00c78, [6]int{0, 0, 0, 0, 2, 8}},
	{math.MaxUint64, 0x85d136adb773c6c9, [6]int{0, 1, 0, 1, 0, 9}},
	{0x397e9d3a76af7c81, 0xfdb2b14ca118567e, [6]int{0, 0, 1, 2, 0, 14}}, // KeyOf("user-42")
}

var hashStringGolden = []struct {
	key     string
	hash    uint64
	targets [6]int
}{
	{"", 0xef46db3751d8e999, [6]int{0, 1, 0, 1, 6, 9}},
	{"a", 0xd24ec4f1a98c6e5b, [6]int{0, 1, 2, 3, 6, 11}},
	{"user-42", 0x397e9d3a76af7c81, [6]int{0, 1, 2, 1, 5, 1}},
	{"reactor#main", 0xbc6502de66a0ac2e, [6]int{0, 0, 0, 2, 3, 14}},
	{"hello, world", 0xb33a384e6d1b1242, [6]int{0, 0, 0, 2, 1, 2}},
}

func TestHashGoldenValues(t *testing.T) {
	p := router.Hash(polIdentity)
	for _, g := range hashGolden {
		for j, n := range hashGoldenN {
			require.Equal(t, g.targets[j], p.Pick(g.key, polMembers(n)), "key %#x, n %d", g.key, n)
			require.Equal(t, int(g.hash%uint64(n)), g.targets[j], "table entry %#x, n %d", g.key, n)
		}
	}
	// The hash is over the key only: the members' own keys do not matter.
	require.Equal(t, 11, p.Pick(0, router.NewMembers(make([]uint64, 16)...)))
}

func TestHashStringGoldenValues(t *testing.T) {
	p := router.HashString(func(s string) string { return s })
	for _, g := range hashStringGolden {
		require.Equal(t, g.hash, router.KeyOf(g.key), "KeyOf(%q)", g.key)
		for j, n := range hashGoldenN {
			require.Equal(t, g.targets[j], p.Pick(g.key, polMembers(n)), "key %q, n %d", g.key, n)
			require.Equal(t, int(g.hash%uint64(n)), g.targets[j], "table entry %q, n %d", g.key, n)
		}
	}
}

func TestHashSameKeySameTarget(t *testing.T) {
	type event struct {
		user uint64
		seq  int
	}
	p := router.Hash(func(e event) uint64 { return e.user })
	m := polMembers(5)
	for user := range uint64(100) {
		first := p.Pick(event{user, 0}, m)
		for seq := 1; seq < 10; seq++ {
			require.Equal(t, first, p.Pick(event{user, seq}, m))
		}
	}
}

// TestHashModuloRemapsMostKeys measures routing.md item 20 for plain
// hashing: adding an 11th member moves about 10/11 of the keys (where
// ConsistentHash moves about 1/11).
func TestHashModuloRemapsMostKeys(t *testing.T) {
	const keys = 100_000
	p := router.Hash(polIdentity)
	before, after := polMembers(10), polMembers(11)
	moved := 0
	for k := range uint64(keys) {
		if p.Pick(k, before) != p.Pick(k, after) {
			moved++
		}
	}
	frac := float64(moved) / keys
	t.Logf("modulo hash, 10 -> 11 members: %.4f of %d keys moved", frac, keys)
	require.InDelta(t, 10.0/11, frac, 0.01)
}

func TestHashNilKeyPanics(t *testing.T) {
	require.PanicsWithValue(t, "router: Hash: nil key function", func() { router.Hash[int](nil) })
	require.PanicsWithValue(t, "router: HashString: nil key function", func() { router.HashString[int](nil) })
}

// TestHashKeyIsXXHash64 checks the inlined 8-byte XXH64 against the
// library over random keys.
func TestHashKeyIsXXHash64(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	for range 10000 {
		k := r.Uint64()
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], k)
		want := xxhash.Sum64(b[:])
		p := router.Hash(func(v uint64) uint64 { return v })
		m := router.NewMembers(make([]uint64, 1000)...)
		require.Equal(t, int(want%1000), p.Pick(k, m))
	}
}
