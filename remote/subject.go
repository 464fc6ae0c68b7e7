package remote

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLen is the longest remote name or namespace accepted, in bytes.
// It keeps a subject plus a reply inbox well inside NATS's 4 KiB control
// line.
const MaxNameLen = 1024

// DefaultNamespace is the first subject token of a node that is not given
// [WithNamespace].
const DefaultNamespace = "reactors"

// Subject returns the NATS subject of a remote name in a namespace:
// "<namespace>.<tokens>". A name is one or more tokens separated by '/' or
// '#', as reactor paths and "reactor#channel" names are: "workers/w1#main"
// in namespace "app" is "app.workers.w1.main". The namespace is one or more
// tokens separated by '.', and its first token must not start with '$'
// or be "_INBOX" (subjects NATS reserves).
//
// A token must be non-empty and must not contain '.', '*', '>', '/' or
// '#', whitespace, control characters or invalid UTF-8; the name and the
// namespace must each be at most [MaxNameLen] bytes. Otherwise Subject
// returns an error matching [ErrInvalidName]. So every subject it returns is
// a literal NATS subject (no wildcard, no empty token), and two different
// valid names in one namespace never share a subject, except that '/' and
// '#' are the same separator ("a/b" and "a#b" name one subject).
//
// Subject allocates the result and nothing else; it is pure.
func Subject(namespace, name string) (string, error) {
	if err := checkNamespace(namespace); err != nil {
		return "", err
	}
	if err := checkTokens(name, "/#", "name"); err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(len(namespace) + 1 + len(name))
	b.WriteString(namespace)
	b.WriteByte('.')
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '/' || c == '#' {
			c = '.'
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

// checkNamespace validates a namespace: tokens separated by '.', the
// first of which is not reserved by NATS (it must not start with '$', as
// "$SYS" and "$JS" do, and must not be "_INBOX", the reply subjects).
func checkNamespace(ns string) error {
	if err := checkTokens(ns, ".", "namespace"); err != nil {
		return err
	}
	first, _, _ := strings.Cut(ns, ".")
	if strings.HasPrefix(first, "$") || first == "_INBOX" {
		return fmt.Errorf("%w: namespace %q is reserved by NATS", ErrInvalidName, ns)
	}
	return nil
}

// checkTokens validates s as tokens separated by any byte of seps.
func checkTokens(s, seps, what string) error {
	switch {
	case s == "":
		return fmt.Errorf("%w: empty %s", ErrInvalidName, what)
	case len(s) > MaxNameLen:
		return fmt.Errorf("%w: %s of %d bytes, longest is %d", ErrInvalidName, what, len(s), MaxNameLen)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: %s %q is not valid UTF-8", ErrInvalidName, what, s)
	}
	empty := true // the current token is empty so far
	for _, r := range s {
		if r < utf8.RuneSelf && strings.IndexByte(seps, byte(r)) >= 0 {
			if empty {
				return fmt.Errorf("%w: %s %q has an empty token", ErrInvalidName, what, s)
			}
			empty = true
			continue
		}
		switch {
		case r == '*' || r == '>':
			return fmt.Errorf("%w: %s %q has the wildcard %q", ErrInvalidName, what, s, r)
		case r == '.' || r == '/' || r == '#':
			return fmt.Errorf("%w: %s %q has %q inside a token", ErrInvalidName, what, s, r)
		case unicode.IsSpace(r) || unicode.IsControl(r):
			return fmt.Errorf("%w: %s %q has whitespace or a control character", ErrInvalidName, what, s)
		}
		empty = false
	}
	if empty {
		return fmt.Errorf("%w: %s %q has an empty token", ErrInvalidName, what, s)
	}
	return nil
}
