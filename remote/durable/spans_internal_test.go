package durable

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSpansAgainstAMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var s spans
	model := map[uint64]bool{}
	for step := range 3_000 {
		switch op := r.IntN(10); {
		case op < 8:
			v := uint64(r.IntN(300))
			s.add(v)
			model[v] = true
		case op == 8:
			floor := uint64(r.IntN(300))
			s.dropThrough(floor)
			for v := range model {
				if v <= floor {
					delete(model, v)
				}
			}
		default:
			s = nil
			clear(model)
		}
		require.Equal(t, len(model), s.len(), "step %d", step)
		for v := range uint64(301) {
			require.Equal(t, model[v], s.has(v), "step %d, %d", step, v)
		}
		for i := 1; i < len(s); i++ {
			require.Greater(t, s[i].lo, s[i-1].hi+1, "step %d: spans must be disjoint and apart: %v", step, s)
		}
	}
}

func TestSpansStayFewForNearlyOrderedAcks(t *testing.T) {
	var s spans
	for v := range uint64(100_000) {
		s.add(v ^ 1) // pairs acknowledged out of order
	}
	require.Equal(t, spans{{0, 99_999}}, s)
	s.dropThrough(50_000)
	require.Equal(t, spans{{50_001, 99_999}}, s)
}
