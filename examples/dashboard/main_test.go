package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/reactors-go/reactors/reactortest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRunServesTheWorkloadsPage runs the program on a free port, reads
// its overview until the workload's events flow, and stops it.
func TestRunServesTheWorkloadsPage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx, ln) }()

	url := "http://" + ln.Addr().String() + "/debug/reactors/api/overview"
	var ov struct {
		Reactors int    `json:"reactors"`
		Handled  uint64 `json:"handled"`
		Panels   []struct {
			Title string `json:"title"`
		} `json:"panels"`
	}
	require.Eventually(t, func() bool {
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		return json.NewDecoder(resp.Body).Decode(&ov) == nil && ov.Handled > 100
	}, reactortest.Patience, 20*time.Millisecond)
	require.GreaterOrEqual(t, ov.Reactors, 9, "collector, 4 workers, dispatcher, flaky, caller and the table's shards")
	var titles []string
	for _, p := range ov.Panels {
		titles = append(titles, p.Title)
	}
	require.Equal(t, []string{"router jobs", "table kv", "remote node", "workload"}, titles)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(reactortest.Patience):
		t.Fatal("run did not return after its context ended")
	}
	http.DefaultClient.CloseIdleConnections()
}
