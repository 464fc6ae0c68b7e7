package router_test

import (
	"fmt"

	"github.com/reactors-go/reactors/router"
)

// polMembers returns n members named w0#main, w1#main, ...
func polMembers(n int) *router.Members {
	return router.NewMembers(polKeys(0, n)...)
}

// polKeys returns the keys of members from..to-1 named like polMembers'.
func polKeys(from, to int) []uint64 {
	keys := make([]uint64, 0, to-from)
	for i := from; i < to; i++ {
		keys = append(keys, router.KeyOf(fmt.Sprintf("w%d#main", i)))
	}
	return keys
}

// polIdentity is the key function of tests whose events are their keys.
func polIdentity(v uint64) uint64 { return v }

// polPicks returns the targets of k picks of event 0.
func polPicks(p router.Policy[int], m *router.Members, k int) []int {
	out := make([]int, k)
	for i := range out {
		out[i] = p.Pick(0, m)
	}
	return out
}

// polCounts counts how often each target occurs.
func polCounts(picks []int, n int) []int {
	c := make([]int, n)
	for _, i := range picks {
		c[i]++
	}
	return c
}
