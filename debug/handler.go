package debug

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"

	"github.com/reactors-go/reactors/reactor"
)

//go:embed assets
var assets embed.FS

// Option configures [Handler].
type Option func(*config)

type config struct {
	panels []panel
}

type panel struct {
	title    string
	snapshot func() any
}

// WithPanel adds a panel titled title to the page. On every refresh the
// handler calls snapshot and shows its result, encoded as JSON: an
// object as a list of fields, a slice of objects as a table. A router's,
// a table's or a remote node's Stats method is the usual snapshot:
//
//	debug.WithPanel("jobs router", func() any { return rt.Stats() })
//
// snapshot runs on the request's goroutine, once per refresh of each
// open page, and must be safe for concurrent use; a panic in it fails
// the request, as a panic in any HTTP handler does.
func WithPanel(title string, snapshot func() any) Option {
	if snapshot == nil {
		panic("debug: WithPanel with a nil snapshot")
	}
	return func(c *config) { c.panels = append(c.panels, panel{title, snapshot}) }
}

// Handler returns the introspection page of sys and its JSON endpoints
// (see the package documentation). Mount it under a prefix with
// [http.StripPrefix]:
//
//	mux.Handle("/debug/reactors/", http.StripPrefix("/debug/reactors", debug.Handler(sys)))
//
// Each request reads the system afresh: /api/reactors walks every live
// reactor (about 1 µs each), /api/overview walks them too for the total
// of handled events. The handler is safe for concurrent use. A nil sys
// panics.
func Handler(sys *reactor.System, opts ...Option) http.Handler {
	if sys == nil {
		panic("debug: Handler with a nil system")
	}
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	static, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(static))
	mux.HandleFunc("GET /api/overview", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, overviewOf(sys, cfg.panels))
	})
	mux.HandleFunc("GET /api/reactors", func(w http.ResponseWriter, r *http.Request) {
		q, err := parseQuery(r.URL.Query())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, reactorsOf(sys, q))
	})
	return mux
}

// writeJSON encodes v whole before it writes, so that an encoding error
// is a clean 500.
func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "debug: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}
