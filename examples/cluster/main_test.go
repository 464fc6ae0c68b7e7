package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func bounded(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// sum adds a per-node count up.
func sum(m map[string]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}

// TestRun checks the example's claims: every node reads every key back at
// every stage, Len counts every key once, the keys spread over every
// member, a node joining takes about 1/(n+1) of the keys and only from
// the others (none move between them), and a node leaving hands all of
// its keys over.
func TestRun(t *testing.T) {
	for _, cfg := range []config{
		{nodes: 3, keys: 300, show: 5},
		{nodes: 2, keys: 200, show: 0},
		{nodes: 5, keys: 500, show: 1},
	} {
		t.Run(fmt.Sprintf("%d nodes", cfg.nodes), func(t *testing.T) {
			var out strings.Builder
			st, err := run(bounded(t), &out, cfg)
			require.NoError(t, err)
			require.Zero(t, st.bad, "wrong reads")
			for _, n := range st.lens {
				require.Equal(t, cfg.keys, n)
			}
			require.Len(t, st.placed, cfg.nodes, "every node holds keys: %v", st.placed)
			require.Equal(t, cfg.keys, sum(st.placed))
			require.Equal(t, cfg.keys, sum(st.joined))
			require.Zero(t, st.moved, "no key moves between the nodes that stay")
			share := float64(cfg.keys) / float64(cfg.nodes+1)
			require.InDelta(t, share, float64(st.movedIn), share*0.5, "the new node takes about 1/(n+1) of the keys")
			require.Equal(t, st.movedIn, st.joined[fmt.Sprintf("node-%d", cfg.nodes+1)])
			require.Equal(t, cfg.keys, sum(st.left))
			require.NotContains(t, st.left, "node-2")
			require.Contains(t, out.String(), "node-2 left")
		})
	}
}

// TestOneNodePerProcess runs the -url mode: three nodes started at once
// against one NATS server, as three processes would.
func TestOneNodePerProcess(t *testing.T) {
	h, err := startHub()
	require.NoError(t, err)
	defer h.stop()
	ctx := bounded(t)
	var wg sync.WaitGroup
	stats := make([]*nodeStats, 3)
	errs := make([]error, 3)
	for i, id := range []string{"a", "b", "c"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stats[i], errs[i] = runNode(ctx, io.Discard, config{url: h.s.ClientURL(), id: id, nodes: 3, keys: 50})
		}()
	}
	wg.Wait()
	for i := range stats {
		require.NoError(t, errs[i])
		require.Equal(t, []string{"a", "b", "c"}, stats[i].members)
		require.Zero(t, stats[i].bad)
		require.Equal(t, 150, sum(stats[i].placed))
	}
	_, err = runNode(ctx, io.Discard, config{url: h.s.ClientURL()})
	require.ErrorContains(t, err, "-id")
}
