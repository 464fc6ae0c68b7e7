package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/reactors-go/reactors/dht"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRun checks the example's claims: every get returns what was put,
// Len is the number of distinct keys, the per-shard counts add up to Len
// and follow Table.Shard, and one more shard, added while a client runs,
// takes about 1/(n+1) of the keys, all to itself, losing none.
func TestRun(t *testing.T) {
	for _, cfg := range []config{
		{shards: 32, keys: 1000, batch: 200, show: 4},
		{shards: 32, keys: 5000, batch: 1000, show: 2},
		{shards: 7, keys: 300, batch: 50, show: 0},
		{shards: 1, keys: 100, batch: 20, show: 3},
	} {
		t.Run(fmt.Sprintf("%d shards %d keys", cfg.shards, cfg.keys), func(t *testing.T) {
			var out strings.Builder
			st, err := run(&out, cfg)
			require.NoError(t, err)

			// Single puts and gets.
			require.Zero(t, st.singleHad, "keys are fresh")
			require.Len(t, st.singleGot, cfg.keys)
			for i, r := range st.singleGot {
				require.Equal(t, dht.Result[string]{Value: fmt.Sprintf("value-%d", i), Found: true}, r, "key-%d", i)
			}

			// The batch: its first half overwrites, its second half is new.
			lo := cfg.keys - cfg.batch/2
			require.Len(t, st.batchKeys, cfg.batch)
			require.Len(t, st.batchPrev, cfg.batch)
			require.Len(t, st.batchGot, cfg.batch)
			for j, k := range st.batchKeys {
				i := lo + j
				require.Equal(t, fmt.Sprintf("key-%d", i), k)
				if i < cfg.keys {
					require.Equal(t, dht.Result[string]{Value: fmt.Sprintf("value-%d", i), Found: true}, st.batchPrev[j], k)
				} else {
					require.Equal(t, dht.Result[string]{}, st.batchPrev[j], k)
				}
				require.Equal(t, dht.Result[string]{Value: fmt.Sprintf("batch-%d", i), Found: true}, st.batchGot[j], k)
			}

			// Final contents and Len.
			distinct := cfg.keys + cfg.batch - cfg.batch/2
			require.Len(t, st.keys, distinct)
			require.Len(t, st.final, distinct)
			for i := range distinct {
				want := fmt.Sprintf("value-%d", i)
				if i >= lo {
					want = fmt.Sprintf("batch-%d", i)
				}
				require.Equal(t, want, st.final[fmt.Sprintf("key-%d", i)], "key-%d", i)
			}
			require.Equal(t, distinct, st.length, "Len")

			// Placement: Table.Shard is Jump of the string hash, and
			// the counts follow it and add up to Len.
			require.Len(t, st.counts, cfg.shards)
			counts := make([]int, cfg.shards)
			for _, k := range st.keys {
				s := st.shardOf[k]
				require.Equal(t, dht.Jump(dht.HashString(k), cfg.shards), s, k)
				counts[s]++
			}
			require.Equal(t, counts, st.counts)
			sum := 0
			for _, c := range st.counts {
				sum += c
			}
			require.Equal(t, st.length, sum, "counts add up to Len")

			// One more shard, added live: recomputed from the placement
			// hashes, every moved key went to the new shard, about
			// 1/(n+1); no key lost its value, growing or shrinking, and
			// the client running meanwhile never read a stale value.
			moved := 0
			for _, k := range st.keys {
				h := dht.HashString(k)
				if to := dht.Jump(h, cfg.shards+1); to != dht.Jump(h, cfg.shards) {
					require.Equal(t, cfg.shards, to, "%s moves to the new shard", k)
					moved++
				}
			}
			require.Equal(t, moved, st.moved)
			require.Equal(t, map[int]int{cfg.shards: moved}, st.movedTo)
			expect := float64(distinct) / float64(cfg.shards+1)
			require.InDelta(t, expect, float64(moved), 4*math.Sqrt(expect)+1,
				"moved %d of %d keys, expected about %.1f", moved, distinct, expect)

			require.Positive(t, st.clientOps)
			require.Zero(t, st.staleReads)
			require.Zero(t, st.lostGrow)
			require.Zero(t, st.lostShrink)
			require.Equal(t, distinct, st.ranged, "the Range snapshot holds every key")

			require.Contains(t, out.String(), fmt.Sprintf("Len = %d", distinct))
			require.Contains(t, out.String(), fmt.Sprintf("resized %d -> %d shards", cfg.shards, cfg.shards+1))
			require.Contains(t, out.String(), fmt.Sprintf("resized back to %d shards: 0 keys lost", cfg.shards))
			require.Equal(t, cfg.show, strings.Count(out.String(), " on shard "))
		})
	}
}

// TestShowIndexes: printed keys come from the single puts and the batch.
func TestShowIndexes(t *testing.T) {
	require.Equal(t, []int{0, 1, 900, 1000}, showIndexes(config{keys: 1000, show: 4}, 900, 1100))
	require.Equal(t, []int{0, 1, 2, 900, 1000, 901}, showIndexes(config{keys: 1000, show: 6}, 900, 1100))
	require.Equal(t, []int{0, 900}, showIndexes(config{keys: 1000, show: 2}, 900, 1100))
	require.Equal(t, []int{0, 1, 2}, showIndexes(config{keys: 3, show: 9}, 3, 3))
	require.Empty(t, showIndexes(config{keys: 1000}, 900, 1100))
	_, err := run(io.Discard, config{shards: 32, keys: 10, batch: -1})
	require.Error(t, err)
}

func BenchmarkRun(b *testing.B) {
	for b.Loop() {
		if _, err := run(io.Discard, config{shards: 32, keys: 1000, batch: 200}); err != nil {
			b.Fatal(err)
		}
	}
}
