package debug_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/reactors-go/reactors/debug"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// BenchmarkJSON100k measures one refresh of the page over 100,000 idle
// reactors: a page of the reactors sorted by mailbox depth, and the
// overview.
func BenchmarkJSON100k(b *testing.B) {
	sys := reactortest.NewSystem(b, reactor.WithIntrospection())
	body := func(r *reactor.Reactor[int]) { r.Main().Events().OnEvent(func(int) {}) }
	for range 100_000 {
		if _, err := reactor.Spawn(sys, body); err != nil {
			b.Fatal(err)
		}
	}
	srv := httptest.NewServer(debug.Handler(sys))
	defer srv.Close()
	for _, path := range []string{"/api/reactors?sort=depth&desc=true&limit=50", "/api/reactors?sort=name&q=reactor-99&limit=50", "/api/overview"} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				resp, err := http.Get(srv.URL + path)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, resp.Body); err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatal(resp.Status)
				}
			}
		})
	}
}
