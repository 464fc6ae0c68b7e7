package debug_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/reactors-go/reactors/debug"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type page struct {
	Total   int `json:"total"`
	Matched int `json:"matched"`
	Offset  int `json:"offset"`
	Rows    []struct {
		ID         uint64   `json:"id"`
		Name       string   `json:"name"`
		State      string   `json:"state"`
		Depth      int      `json:"depth"`
		Handled    uint64   `json:"handled"`
		AgeSeconds *float64 `json:"ageSeconds"`
		Connectors []struct {
			Name string `json:"name"`
			Len  int    `json:"len"`
		} `json:"connectors"`
	} `json:"rows"`
}

type overview struct {
	Introspection bool              `json:"introspection"`
	Reactors      int               `json:"reactors"`
	Handled       uint64            `json:"handled"`
	Depth         int               `json:"depth"`
	DeadLetters   uint64            `json:"deadLetters"`
	ByReason      map[string]uint64 `json:"byReason"`
	Recent        []struct {
		Channel string `json:"channel"`
		Reason  string `json:"reason"`
		Type    string `json:"type"`
	} `json:"recent"`
	Workers []struct {
		Turns uint64 `json:"turns"`
	} `json:"workers"`
	Flows []struct {
		FromName string `json:"fromName"`
		ToName   string `json:"toName"`
		Sampled  uint64 `json:"sampled"`
	} `json:"flows"`
	Panels []struct {
		Title string         `json:"title"`
		Data  map[string]int `json:"data"`
	} `json:"panels"`
}

func get(t *testing.T, srv *httptest.Server, path string, into any) int {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if resp.StatusCode == http.StatusOK && into != nil {
		require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		require.NoError(t, json.Unmarshal(body, into), "%s", body)
	}
	return resp.StatusCode
}

// spawnIdle spawns n idle reactors named prefix-i.
func spawnIdle(t *testing.T, sys *reactor.System, prefix string, n int) {
	t.Helper()
	for i := range n {
		_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			r.Main().Events().OnEvent(func(int) {})
		}, reactor.WithName(prefix+"-"+strconv.Itoa(i)))
		require.NoError(t, err)
	}
}

// TestReactorsEndpointFiltersSortsAndPages reads reactors page by page,
// filtered and sorted, and refuses malformed queries with 400.
func TestReactorsEndpointFiltersSortsAndPages(t *testing.T) {
	sys := reactortest.NewSystem(t, reactor.WithIntrospection())
	spawnIdle(t, sys, "alpha", 7)
	spawnIdle(t, sys, "beta", 3)
	srv := httptest.NewServer(debug.Handler(sys))
	defer srv.Close()

	var p page
	require.Equal(t, http.StatusOK, get(t, srv, "/api/reactors?sort=name&q=alpha&limit=3", &p))
	require.Equal(t, 10, p.Total)
	require.Equal(t, 7, p.Matched)
	require.Len(t, p.Rows, 3)
	require.Equal(t, []string{"alpha-0", "alpha-1", "alpha-2"}, []string{p.Rows[0].Name, p.Rows[1].Name, p.Rows[2].Name})
	require.NotNil(t, p.Rows[0].AgeSeconds)
	require.Equal(t, "main", p.Rows[0].Connectors[0].Name)

	p = page{}
	require.Equal(t, http.StatusOK, get(t, srv, "/api/reactors?sort=name&desc=true&q=alpha&offset=6&limit=3", &p))
	require.Equal(t, 6, p.Offset)
	require.Len(t, p.Rows, 1)
	require.Equal(t, "alpha-0", p.Rows[0].Name)

	p = page{}
	require.Equal(t, http.StatusOK, get(t, srv, "/api/reactors?offset=50", &p))
	require.Empty(t, p.Rows)
	require.Equal(t, 10, p.Matched)

	for _, bad := range []string{
		"sort=color", "desc=maybe", "offset=-1", "offset=x", "limit=0",
		"limit=" + strconv.Itoa(debug.MaxLimit+1),
	} {
		require.Equal(t, http.StatusBadRequest, get(t, srv, "/api/reactors?"+bad, nil), bad)
	}
	require.Equal(t, http.StatusMethodNotAllowed, func() int {
		resp, err := http.Post(srv.URL+"/api/reactors", "text/plain", strings.NewReader(""))
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}())
}

// TestOverviewEndpointReportsCountersDeadLettersFlowsAndPanels causes
// traffic and a dead letter and reads them back.
func TestOverviewEndpointReportsCountersDeadLettersFlowsAndPanels(t *testing.T) {
	sys := reactortest.NewSystem(t, reactor.WithIntrospection())
	const n = 50 * reactor.FlowSample
	got := make(chan struct{})
	count := 0
	sink, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) {
			if count++; count == n {
				close(got)
			}
		})
	}, reactor.WithName("sink"))
	require.NoError(t, err)
	for i := range n {
		require.NoError(t, sink.Send(i))
	}
	reactortest.WaitClosed(t, got)
	sys.DeadLetter("nowhere#main", reactor.ReasonNoRoute, struct{ X int }{1})

	srv := httptest.NewServer(debug.Handler(sys, debug.WithPanel("counts", func() any {
		return map[string]int{"answer": 42}
	})))
	defer srv.Close()
	var o overview
	// A turn counts its events when it ends: wait for the last one's.
	require.Eventually(t, func() bool {
		o = overview{}
		return get(t, srv, "/api/overview", &o) == http.StatusOK && o.Handled == n
	}, reactortest.Patience, time.Millisecond)
	require.True(t, o.Introspection)
	require.Equal(t, 1, o.Reactors)
	require.Equal(t, uint64(1), o.DeadLetters)
	require.Equal(t, map[string]uint64{"no-route": 1}, o.ByReason)
	require.Len(t, o.Recent, 1)
	require.Equal(t, "nowhere#main", o.Recent[0].Channel)
	require.Equal(t, "no-route", o.Recent[0].Reason)
	require.Equal(t, "struct { X int }", o.Recent[0].Type)
	require.NotEmpty(t, o.Workers)
	found := false
	for _, f := range o.Flows {
		found = found || (f.FromName == "" && f.ToName == "sink" && f.Sampled > 0)
	}
	require.True(t, found, "flows %+v", o.Flows)
	require.Len(t, o.Panels, 1)
	require.Equal(t, "counts", o.Panels[0].Title)
	require.Equal(t, 42, o.Panels[0].Data["answer"])
}

// TestPageIsServedFromEmbeddedFiles fetches the page and its assets.
func TestPageIsServedFromEmbeddedFiles(t *testing.T) {
	sys := reactortest.NewSystem(t)
	srv := httptest.NewServer(http.StripPrefix("/debug/reactors", debug.Handler(sys)))
	defer srv.Close()
	for path, want := range map[string]string{
		"/debug/reactors/":          `<script src="app.js">`,
		"/debug/reactors/app.js":    "api/overview",
		"/debug/reactors/style.css": "#flowmap",
	} {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
		require.Contains(t, string(body), want, path)
	}
	var o overview
	require.Equal(t, http.StatusOK, get(t, srv, "/debug/reactors/api/overview", &o))
	require.False(t, o.Introspection)
}

// TestHandlerRefusesNilArguments checks the panics of misuse.
func TestHandlerRefusesNilArguments(t *testing.T) {
	require.PanicsWithValue(t, "debug: Handler with a nil system", func() { debug.Handler(nil) })
	require.PanicsWithValue(t, "debug: WithPanel with a nil snapshot", func() { debug.WithPanel("x", nil) })
}
