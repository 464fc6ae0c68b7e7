package router

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReduceIsModulo checks reduce against the plain 64-bit modulo on
// every branch: powers of two, small and large keys, small and large n.
func TestReduceIsModulo(t *testing.T) {
	keys := []uint64{0, 1, 2, 3, 7, 8, 1000, math.MaxUint32 - 1, math.MaxUint32, math.MaxUint32 + 1, 1 << 40, math.MaxUint64 - 1, math.MaxUint64}
	for _, k := range []uint64{0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 12345678901234567} {
		keys = append(keys, k, k>>20, k>>33)
	}
	ns := []int{1, 2, 3, 4, 5, 7, 8, 12, 16, 31, 64, 100, 1 << 20, 1<<20 + 1, math.MaxInt32}
	if math.MaxInt > math.MaxUint32 {
		ns = append(ns, int(math.MaxUint32), int(math.MaxUint32+2), math.MaxInt)
	}
	for _, n := range ns {
		for _, k := range keys {
			require.Equal(t, int(k%uint64(n)), reduce(k, n), "k=%d n=%d", k, n)
		}
	}
}
