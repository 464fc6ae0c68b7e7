// Package debug serves a live introspection page of a reactor system, as
// net/http/pprof serves profiles: [Handler] returns an [http.Handler]
// that the program mounts on a mux of its own. Nothing here registers on
// [http.DefaultServeMux], starts a listener or a goroutine.
//
// The page lists the live reactors (sortable, filterable, paged, so that
// 100,000 reactors cost one page of rows), the dead letters by reason and
// the most recent ones, the pool's workers, a map of which reactors send
// to which with rates, charts of the last minutes, and one panel per
// [WithPanel] (routers, tables, a remote node: whatever the program
// shows). It refreshes itself every second by polling the JSON endpoints
// below; its script, styles and charts are embedded, so it works with no
// network and no build step.
//
// Endpoints, relative to where the handler is mounted:
//
//	/                  the page
//	/api/overview      counters, workers, dead letters, flows, panels (JSON)
//	/api/reactors      one page of reactors: ?sort=name|id|state|depth|handled|restarts|age
//	                   &desc=1 &q=substring-of-name &offset=0 &limit=50 (JSON)
//
// Build the system with [reactor.WithIntrospection] to see start times,
// every connector, recent dead letters and the flow map; without it the
// page shows the counters the runtime always keeps.
//
// The handler reads the system on each request and keeps nothing between
// requests: the charts' history lives in the page. Mount it behind
// whatever authentication the program uses: the page shows reactor and
// channel names and the Go types of dead-lettered events.
package debug
