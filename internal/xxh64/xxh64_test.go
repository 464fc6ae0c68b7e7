package xxh64_test

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/cespare/xxhash/v2"

	"github.com/reactors-go/reactors/internal/xxh64"
)

// TestUint64IsTheDigest compares Uint64 with xxhash's digest of the same
// 8 bytes, for seed 0 and another seed, over edge and random values.
func TestUint64IsTheDigest(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 100_000 {
		x := rng.Uint64()
		switch {
		case i < 64:
			x = 1 << i
		case i == 64:
			x = 0
		case i == 65:
			x = ^uint64(0)
		}
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], x)
		for _, seed := range []uint64{0, 0x9e3779b97f4a7c15} {
			var d xxhash.Digest
			d.ResetWithSeed(seed)
			_, _ = d.Write(b[:])
			if got, want := xxh64.Uint64(x, seed), d.Sum64(); got != want {
				t.Fatalf("Uint64(%#x, %#x) = %#x, digest %#x", x, seed, got, want)
			}
		}
	}
}
