package router

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Path grammar, shared by registration and lookup (Kompact's rules):
//
//	path    = segment *( "/" segment )
//	lookup  = path [ "/" marker ] | marker
//	marker  = "*" | "?"
//
// A segment is 1 to MaxPathLen bytes of valid UTF-8 without '/', '#', '*',
// '?', spaces or control characters. A path is at most MaxPathLen bytes.
// Registrations and policies take plain paths; sends may end in one
// marker segment, and a marker alone addresses the whole tree (only with
// implicit routing, see [ImplicitRoutes]).
const (
	// BroadcastMarker, as a send path's last segment ("a/*"), sends to
	// every member of the group at the path before it.
	BroadcastMarker = "*"
	// SelectMarker, as a send path's last segment ("a/?"), sends to one
	// member of the group, chosen by the group's policy.
	SelectMarker = "?"
	// MaxPathLen is the longest accepted path, in bytes.
	MaxPathLen = 1024
)

// marker is the routing marker a send path ends with.
type marker uint8

const (
	noMarker marker = iota
	broadcastMarker
	selectMarker
)

func (m marker) String() string {
	switch m {
	case broadcastMarker:
		return BroadcastMarker
	case selectMarker:
		return SelectMarker
	}
	return ""
}

// splitPath validates a registration path (no marker) and returns its
// segments.
func splitPath(path string) ([]string, error) {
	if err := checkLen(path); err != nil {
		return nil, err
	}
	segs := strings.Split(path, "/")
	for _, s := range segs {
		if err := checkSegment(path, s); err != nil {
			return nil, err
		}
	}
	return segs, nil
}

func markerOf(seg string) marker {
	switch seg {
	case BroadcastMarker:
		return broadcastMarker
	case SelectMarker:
		return selectMarker
	}
	return noMarker
}

func checkLen(path string) error {
	if path == "" {
		return fmt.Errorf("%w: empty path", ErrBadPath)
	}
	if len(path) > MaxPathLen {
		return fmt.Errorf("%w: %d bytes, longer than %d", ErrBadPath, len(path), MaxPathLen)
	}
	return nil
}

// checkSegment reports why seg is not a valid segment of path, or nil.
// ASCII bytes are checked one by one; other runes are decoded.
func checkSegment(path, seg string) error {
	if seg == "" {
		return fmt.Errorf("%w: %q has an empty segment", ErrBadPath, path)
	}
	for i := 0; i < len(seg); {
		b := seg[i]
		if b < utf8.RuneSelf {
			switch {
			case b == '/' || b == '#' || b == '*' || b == '?':
				return fmt.Errorf("%w: %q: segment %q contains %q", ErrBadPath, path, seg, b)
			case b <= ' ' || b == 0x7f:
				return fmt.Errorf("%w: %q: segment %q contains a space or control character", ErrBadPath, path, seg)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(seg[i:])
		if r == utf8.RuneError && size == 1 {
			return fmt.Errorf("%w: %q is not valid UTF-8", ErrBadPath, path)
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("%w: %q: segment %q contains a space or control character", ErrBadPath, path, seg)
		}
		i += size
	}
	return nil
}
