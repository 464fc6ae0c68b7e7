package reactor_test

import (
	"errors"
	"strings"
	"testing"
	"unicode"

	"github.com/reactors-go/reactors/reactor"
)

// FuzzChannelName checks the "reactor#channel" grammar of Get: a name is
// accepted exactly when it has one '#' with a valid name on each side (non
// empty, no '#', no space or control character); anything else is
// ErrInvalidName, never a panic. Accepted names that are not registered
// are ErrNotFound.
func FuzzChannelName(f *testing.F) {
	for _, seed := range []string{"a#b", "svc#main", "", "#", "a#", "#b", "a#b#c", "a b#c", "a#\x00", "名前#チャンネル", "a/b/c#main"} {
		f.Add(seed)
	}
	sys := reactor.New()
	f.Cleanup(func() { _ = sys.Shutdown(f.Context()) })
	valid := func(s string) bool {
		return s != "" && !strings.ContainsFunc(s, func(r rune) bool {
			return r == '#' || unicode.IsSpace(r) || unicode.IsControl(r)
		})
	}
	f.Fuzz(func(t *testing.T, name string) {
		_, err := reactor.Get[int](sys, name)
		r, c, ok := strings.Cut(name, "#")
		want := ok && valid(r) && valid(c)
		switch {
		case want && !errors.Is(err, reactor.ErrNotFound):
			t.Fatalf("Get(%q) = %v, want ErrNotFound", name, err)
		case !want && !errors.Is(err, reactor.ErrInvalidName):
			t.Fatalf("Get(%q) = %v, want ErrInvalidName", name, err)
		}
	})
}
