package main

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRun checks the example's claims: round-robin through server/? splits
// the queries within one of each other, every client hears every answer
// through client/*, and every request is answered by a server or the cache.
func TestRun(t *testing.T) {
	for _, cfg := range []config{
		{servers: 3, clients: 12, requests: 60, dbSize: 500, seed: 1},
		{servers: 4, clients: 5, requests: 100, dbSize: 200, seed: 7},
	} {
		t.Run(fmt.Sprintf("%d servers %d clients", cfg.servers, cfg.clients), func(t *testing.T) {
			var out strings.Builder
			st, err := run(&out, cfg)
			require.NoError(t, err)
			var total, lo, hi int64 = 0, st.handled[0], st.handled[0]
			for _, h := range st.handled {
				total += h
				lo, hi = min(lo, h), max(hi, h)
			}
			require.LessOrEqual(t, hi-lo, int64(1), "round-robin balance: %v", st.handled)
			queries := 0
			for i, c := range st.clients {
				require.Equal(t, cfg.requests, c.requests, "client %d", i)
				require.Equal(t, c.requests, c.hits+c.queries, "client %d", i)
				queries += c.queries
			}
			require.Equal(t, int64(queries), total, "every query handled once")
			for i, c := range st.clients {
				require.Equal(t, total, c.heard, "client %d hears every answer", i)
			}
			require.Contains(t, out.String(), "server/server-0 handled")
			require.Contains(t, out.String(), "client/client-0:")
		})
	}
}

// TestLRU: the cache keeps the most recently used answers.
func TestLRU(t *testing.T) {
	l := newLRU(2)
	l.put("a", 1)
	l.put("b", 2)
	_, ok := l.get("a") // a is now the most recent
	require.True(t, ok)
	l.put("c", 3) // evicts b
	_, ok = l.get("b")
	require.False(t, ok)
	v, ok := l.get("a")
	require.True(t, ok)
	require.Equal(t, 1, v)
	l.put("a", 9)
	v, _ = l.get("a")
	require.Equal(t, 9, v)
}

func BenchmarkRun(b *testing.B) {
	for b.Loop() {
		if _, err := run(io.Discard, config{servers: 3, clients: 12, requests: 50, dbSize: 1000, seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
