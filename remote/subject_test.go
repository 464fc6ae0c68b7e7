package remote_test

import (
	"strings"
	"testing"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/remote"
)

func TestSubject(t *testing.T) {
	long := strings.Repeat("a", remote.MaxNameLen)
	for _, tc := range []struct {
		ns, name, want string
	}{
		{"reactors", "counter", "reactors.counter"},
		{"app", "workers/w1#main", "app.workers.w1.main"},
		{"app.prod", "a/b/c", "app.prod.a.b.c"},
		{"app", "grüße", "app.grüße"},
		{"app", "a-b_c:d$e", "app.a-b_c:d$e"},
		{"app", long, "app." + long},
		{"app.$x", "y", "app.$x.y"},
		{"_inbox", "y", "_inbox.y"},
	} {
		got, err := remote.Subject(tc.ns, tc.name)
		require.NoError(t, err, "%q %q", tc.ns, tc.name)
		require.Equal(t, tc.want, got)
		require.True(t, natsserver.IsValidLiteralSubject(got), got)
	}
}

func TestSubjectInvalid(t *testing.T) {
	for _, tc := range []struct{ ns, name string }{
		{"app", ""},
		{"", "x"},
		{"app", "a//b"},
		{"app", "/a"},
		{"app", "a/"},
		{"app", "a#"},
		{"app", "a.b"},
		{"app", "a*"},
		{"app", "*"},
		{"app", ">"},
		{"app", "a/>"},
		{"app", "a b"},
		{"app", "a\tb"},
		{"app", "a\nb"},
		{"app", "a\x00b"},
		{"app", "a\u00a0b"}, // no-break space
		{"app", "a\x7fb"},
		{"app", "\xff"},
		{"app", strings.Repeat("a", remote.MaxNameLen+1)},
		{"app.", "x"},
		{".app", "x"},
		{"a..b", "x"},
		{"a*", "x"},
		{"a>", "x"},
		{"a/b", "x"},
		{"a b", "x"},
		{"$SYS", "x"},
		{"$JS.api", "x"},
		{"_INBOX", "x"},
		{"_INBOX.abc", "x"},
	} {
		_, err := remote.Subject(tc.ns, tc.name)
		require.ErrorIs(t, err, remote.ErrInvalidName, "%q %q", tc.ns, tc.name)
	}
}

// FuzzSubject checks the name-to-subject mapping: every accepted name maps
// to a literal NATS subject of the namespace, with one token per name
// token, and every refused name is refused with ErrInvalidName.
func FuzzSubject(f *testing.F) {
	for _, s := range [][2]string{
		{"reactors", "counter"}, {"app", "workers/w1#main"}, {"app.prod", "a/b"},
		{"app", "a.b"}, {"app", "a/>"}, {"app", "*"}, {"app", "a b"}, {"app", ""},
		{"", "x"}, {"a..b", "x"}, {"app", "\xff"}, {"app", "grüße"}, {"app", "a//b"},
		{"$SYS", "x"}, {"_INBOX", "x"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, ns, name string) {
		subj, err := remote.Subject(ns, name)
		if err != nil {
			require.ErrorIs(t, err, remote.ErrInvalidName)
			return
		}
		require.True(t, natsserver.IsValidLiteralSubject(subj), "%q", subj)
		require.True(t, strings.HasPrefix(subj, ns+"."))
		require.False(t, strings.HasPrefix(subj, "$") || strings.HasPrefix(subj, "_INBOX."), subj)
		tokens := strings.Split(strings.TrimPrefix(subj, ns+"."), ".")
		require.Len(t, tokens, 1+strings.Count(name, "/")+strings.Count(name, "#"))
		for _, tok := range tokens {
			require.NotEmpty(t, tok)
			require.NotContains(t, tok, "*")
			require.NotContains(t, tok, ">")
		}
		// The mapping is injective up to the choice of separator.
		require.Equal(t, strings.NewReplacer("/", ".", "#", ".").Replace(name), strings.TrimPrefix(subj, ns+"."))
	})
}
