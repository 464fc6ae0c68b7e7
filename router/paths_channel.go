package router

import (
	"sync/atomic"

	"github.com/reactors-go/reactors/reactor"
)

// Channel returns an ordinary channel whose sends go to path, by the rules
// of [Paths.Send], so code that takes a [reactor.Channel] can send to a path or a
// group. The path is checked here ([ErrBadPath]); what it routes to is
// resolved at each send against the tree of that moment, so registrations
// made later are seen.
//
// Each call allocates a new channel. A send costs what Send does minus the
// walk: the channel remembers where the path led in the current tree and
// walks it again only after the tree changes.
func (p *Paths[T]) Channel(path string) (reactor.Channel[T], error) {
	if _, _, err := find(p.root.Load(), path); err != nil {
		return reactor.Channel[T]{}, err
	}
	return reactor.ChannelOf[T](&pathSender[T]{p: p, path: path}), nil
}

// pathSender is the Sender behind [Paths.Channel].
type pathSender[T any] struct {
	p     *Paths[T]
	path  string
	cache atomic.Pointer[pathWalk[T]]
}

// pathWalk is where a path led in one version of the tree.
type pathWalk[T any] struct {
	root *pathNode[T]
	n    *pathNode[T]
	m    marker
}

func (s *pathSender[T]) Send(v T) error {
	root := s.p.root.Load()
	w := s.cache.Load()
	if w == nil || w.root != root {
		n, m, err := find(root, s.path)
		if err != nil {
			return s.p.fail(s.path, v, err)
		}
		w = &pathWalk[T]{root: root, n: n, m: m}
		s.cache.Store(w)
	}
	return s.p.sendResolved(w.n, w.m, s.path, v)
}

func (s *pathSender[T]) Name() string { return s.path }

// System returns the system of the Paths, which the path's channel
// reports ([reactor.Channel.System]).
func (s *pathSender[T]) System() *reactor.System { return s.p.sys }
