package router

import (
	"fmt"

	"github.com/reactors-go/reactors/reactor"
)

// Register binds path to ch. A path holds one entry: if path already holds a
// channel or a policy, Register fails with [ErrPathTaken]. The path must be a
// plain path (no marker; see [BroadcastMarker] for the grammar), else
// [ErrBadPath]; the zero [reactor.Channel] is refused with
// [reactor.ErrNilChannel]. Sends that start after Register returns see the
// binding, including sends to the groups of the path's ancestors.
func (p *Paths[T]) Register(path string, ch reactor.Channel[T]) error {
	if ch == (reactor.Channel[T]{}) {
		return fmt.Errorf("router: register %q: %w", path, reactor.ErrNilChannel)
	}
	err := p.update(path, func(old *pathNode[T]) (*pathNode[T], error) {
		if old != nil && old.hasEntry() {
			return nil, fmt.Errorf("%w: %q", ErrPathTaken, path)
		}
		n := cloneNode(old, path)
		n.ch = ch
		return n, nil
	})
	if err == nil {
		p.watch(path, ch)
	}
	return err
}

// pathEntry names one registration, for the termination watches.
type pathEntry[T any] struct {
	path string
	ch   reactor.Channel[T]
}

// watch makes the termination of ch's reactor unregister ch from path,
// if path still holds it then (see [Paths]).
func (p *Paths[T]) watch(path string, ch reactor.Channel[T]) {
	e := pathEntry[T]{path, ch}
	watch(&p.mu, &p.watched, e, ch, func() { p.dropTerminated(e) })
}

// dropTerminated unregisters e's channel, whose reactor has terminated,
// if e's path still holds it.
func (p *Paths[T]) dropTerminated(e pathEntry[T]) {
	_ = p.update(e.path, func(old *pathNode[T]) (*pathNode[T], error) {
		p.watched.forget(e) // under p.mu, which update holds
		if old == nil || old.ch != e.ch {
			return old, nil
		}
		n := cloneNode(old, e.path)
		n.ch = reactor.Channel[T]{}
		return n, nil
	})
}

// Replace binds path to ch whatever the path held before (a channel, a
// policy, or nothing): Kompact's update of a registration. It fails like
// [Paths.Register] except that it never reports [ErrPathTaken].
func (p *Paths[T]) Replace(path string, ch reactor.Channel[T]) error {
	if ch == (reactor.Channel[T]{}) {
		return fmt.Errorf("router: replace %q: %w", path, reactor.ErrNilChannel)
	}
	err := p.update(path, func(old *pathNode[T]) (*pathNode[T], error) {
		n := cloneNode(old, path)
		n.ch, n.policy = ch, nil
		return n, nil
	})
	if err == nil {
		p.watch(path, ch)
	}
	return err
}

// SetPolicy makes path route by pol over its group: every channel
// registered below path, now or later. It replaces a policy already at
// path and fails with [ErrPathTaken] if a channel is registered there
// ([Paths.Replace] then SetPolicy is the way to turn a channel's path into a
// group). A nil pol is refused. See [Paths] for the markers each policy
// answers.
func (p *Paths[T]) SetPolicy(path string, pol Policy[T]) error {
	if pol == nil {
		return fmt.Errorf("router: set policy at %q: nil policy", path)
	}
	return p.update(path, func(old *pathNode[T]) (*pathNode[T], error) {
		if old != nil && old.ch != (reactor.Channel[T]{}) {
			return nil, fmt.Errorf("%w: %q holds a channel", ErrPathTaken, path)
		}
		n := cloneNode(old, path)
		n.policy = pol
		return n, nil
	})
}

// Unregister removes the entry at path, a channel or a policy; the
// entries below it stay. It fails with [reactor.ErrNotFound] if path holds
// none, and with [ErrBadPath] for a malformed path.
func (p *Paths[T]) Unregister(path string) error {
	return p.update(path, func(old *pathNode[T]) (*pathNode[T], error) {
		if old == nil || !old.hasEntry() {
			return nil, fmt.Errorf("router: unregister %q: %w", path, reactor.ErrNotFound)
		}
		n := cloneNode(old, path)
		n.ch, n.policy = reactor.Channel[T]{}, nil
		return n, nil
	})
}

// cloneNode returns a fresh copy of n (a new node if n is nil), with an
// empty group cache.
func cloneNode[T any](n *pathNode[T], path string) *pathNode[T] {
	if n == nil {
		return &pathNode[T]{path: path}
	}
	return &pathNode[T]{path: n.path, children: n.children, ch: n.ch, policy: n.policy}
}

// update replaces the node at path by what f returns, copying the nodes
// from the root down (their group caches start empty) and pruning nodes
// left with neither entry nor children.
func (p *Paths[T]) update(path string, f func(old *pathNode[T]) (*pathNode[T], error)) error {
	segs, err := splitPath(path)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	root, err := rebuild(p.root.Load(), "", segs, f)
	if err != nil {
		return err
	}
	if root == nil {
		root = &pathNode[T]{}
	}
	p.root.Store(root)
	return nil
}

// rebuild returns a copy of n (at path prefix) with f applied at segs
// below it, or nil if the copy would be empty.
func rebuild[T any](n *pathNode[T], prefix string, segs []string, f func(*pathNode[T]) (*pathNode[T], error)) (*pathNode[T], error) {
	if len(segs) == 0 {
		return prune(f(n))
	}
	childPath := segs[0]
	if prefix != "" {
		childPath = prefix + "/" + segs[0]
	}
	var old *pathNode[T]
	i, found := 0, false
	if n != nil {
		i, found = n.search(segs[0])
		if found {
			old = n.children[i].n
		}
	}
	c, err := rebuild(old, childPath, segs[1:], f)
	if err != nil {
		return nil, err
	}
	next := cloneNode(n, prefix)
	kids := make([]pathChild[T], 0, len(next.children)+1)
	kids = append(kids, next.children[:i]...)
	if c != nil {
		kids = append(kids, pathChild[T]{seg: segs[0], n: c})
	}
	if found {
		i++
	}
	if n != nil {
		kids = append(kids, n.children[i:]...)
	}
	next.children = kids
	return prune(next, nil)
}

func prune[T any](n *pathNode[T], err error) (*pathNode[T], error) {
	if err != nil || n == nil || (!n.hasEntry() && len(n.children) == 0) {
		return nil, err
	}
	return n, nil
}
