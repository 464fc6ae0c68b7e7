package router_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

// refSegment is the grammar's segment rule, written out independently of
// the package's scanner.
func refSegment(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if strings.ContainsRune("/#*?", r) || unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// refValid reports whether path is a valid registration path or, with
// lookup, a valid send path.
func refValid(path string, lookup bool) bool {
	if path == "" || len(path) > router.MaxPathLen {
		return false
	}
	segs := strings.Split(path, "/")
	if lookup {
		if last := segs[len(segs)-1]; last == "*" || last == "?" {
			segs = segs[:len(segs)-1]
		}
	}
	for _, s := range segs {
		if !refSegment(s) {
			return false
		}
	}
	return true
}

// FuzzPaths checks the path grammar against refValid, and that a path
// that registers routes to its channel and belongs to its parents' groups.
func FuzzPaths(f *testing.F) {
	for _, s := range []string{"a", "a/b", "a/*", "*", "?", "a//b", "/a", "a/", "a b", "ü/ß", "a#b", "a/?/b", "\xff", "a\x7f"} {
		f.Add(s)
	}
	sys := reactor.New(reactor.WithLogger(zerolog.Nop()))
	f.Cleanup(func() { _ = sys.Shutdown(f.Context()) })
	f.Fuzz(func(t *testing.T, path string) {
		p := router.NewPaths[int](sys, router.ImplicitRoutes())
		tp := &tap{name: "t"}
		err := p.Register(path, reactor.ChannelOf[int](tp))
		if !refValid(path, false) {
			require.ErrorIs(t, err, router.ErrBadPath)
		} else {
			require.NoError(t, err)
			got, err := p.Members(path)
			require.NoError(t, err)
			require.Equal(t, []string{path}, got)
			require.NoError(t, p.Send(path, 1))
			require.Equal(t, []int{1}, tp.values())
			for i := strings.LastIndexByte(path, '/'); i > 0; i = strings.LastIndexByte(path[:i], '/') {
				got, err := p.Members(path[:i] + "/*")
				require.NoError(t, err)
				require.Equal(t, []string{path}, got)
			}
			require.NoError(t, p.Unregister(path))
			_, err = p.Members("*")
			require.ErrorIs(t, err, router.ErrNoRoute, "the tree is empty again")
		}
		_, err = p.Channel(path)
		if refValid(path, true) {
			require.NoError(t, err)
		} else {
			require.ErrorIs(t, err, router.ErrBadPath)
		}
	})
}
