package router

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/reactors-go/reactors/reactor"
)

// Paths is a tree of hierarchical names ("servers/eu/s1") for channels of
// T, with routing over subtrees: Kompact's path routing. Each path holds
// at most one entry, a channel or a policy. The group of a path is every
// channel registered in the subtree below it, ordered by path (segment by
// segment, byte-wise), so the same registrations give the same member
// order in every process.
//
// Sending to a path:
//
//   - "a/b", where a channel is registered: that channel.
//   - "a", where a policy is set ([Paths.SetPolicy]): the policy picks among a's
//     group, as if the path ended in the marker the policy answers
//     (transparent routing: senders need not know a group is there).
//   - "a/*": every member of a's group, if a's policy is [Broadcast];
//     "a/?": one member, if a's policy is any other. A marker whose kind
//     does not match the policy fails with [ErrPolicyKind], a marker after a
//     channel's path with [ErrNotGroup].
//   - A marker on a path with no policy routes only with implicit routing
//     ([ImplicitRoutes]; off by default): "*" to every member, "?" round-robin.
//     With it off, such a send, like a send to an unknown path or to an
//     empty group, fails with [ErrNoRoute].
//
// A send that fails returns the error and dead-letters the event with
// [reactor.ReasonNoRoute] under the path; nothing panics. A broadcast sends
// one copy per member and joins the members' send errors.
//
// Concurrency and cost: all methods are safe for concurrent use. A send
// takes no lock and allocates nothing: it costs O(path length), plus
// O(group size) for the first send to a group after a change.
// Registrations cost O(depth × fan-out) and serialize with each other; a
// send that starts after a registration method returns sees its effect.
// A policy keeps its state (a round-robin its cycle) across changes.
// docs/design.md describes the copy-on-write tree behind this.
//
// A channel stays registered until unregistered or replaced, or until
// its reactor terminates: then it leaves its path by itself, and sends
// that start after the termination completed (Done closed) no longer
// reach it; a send racing with the termination may, and is then
// dead-lettered with ReasonTerminated by the channel. Forwarding
// channels (routers, remote channels) stay until unregistered.
//
// The zero Paths is not usable; create one with [NewPaths].
type Paths[T any] struct {
	sys      *reactor.System
	implicit bool
	rr       Policy[T] // the implicit select policy

	mu      sync.Mutex // serializes writers
	root    atomic.Pointer[pathNode[T]]
	watched watches[pathEntry[T]] // guarded by mu: registrations whose reactor's termination unregisters them
}

// PathsOption configures a [Paths].
type PathsOption func(*pathsConfig)

type pathsConfig struct{ implicit bool }

// ImplicitRoutes lets "a/*" and "a/?" route at paths that have no policy:
// "*" to every member of a's group, "?" round-robin among them; a marker
// alone ("*" or "?") addresses every registered channel.
//
// It is off by default because it lets anyone who can send to a path
// reach whole subtrees: a single "*" fans out to every channel in the
// tree. Prefer explicit policies ([Paths.SetPolicy]) on the paths meant to route.
func ImplicitRoutes() PathsOption { return func(c *pathsConfig) { c.implicit = true } }

// NewPaths returns an empty tree. sys receives its dead letters; a nil
// sys panics.
func NewPaths[T any](sys *reactor.System, opts ...PathsOption) *Paths[T] {
	if sys == nil {
		panic("router: NewPaths with a nil system")
	}
	var cfg pathsConfig
	for _, o := range opts {
		o(&cfg)
	}
	p := &Paths[T]{sys: sys, implicit: cfg.implicit, rr: RoundRobin[T]()}
	p.root.Store(&pathNode[T]{})
	return p
}

// pathNode is one segment of the tree. Nodes are immutable once published
// except for the group cache; writers copy the nodes they change.
type pathNode[T any] struct {
	path     string // full path from the root ("" for the root)
	children []pathChild[T]
	ch       reactor.Channel[T] // the entry: a channel, or
	policy   Policy[T]          // a policy; never both
	group    atomic.Pointer[pathGroup[T]]
}

type pathChild[T any] struct {
	seg string
	n   *pathNode[T]
}

// pathGroup is the members of a node's subtree, in path order.
type pathGroup[T any] struct {
	set   *memberSet[T]
	paths []string
}

func (n *pathNode[T]) child(seg string) *pathNode[T] {
	if i, ok := n.search(seg); ok {
		return n.children[i].n
	}
	return nil
}

func (n *pathNode[T]) search(seg string) (int, bool) {
	return slices.BinarySearchFunc(n.children, seg, func(c pathChild[T], s string) int {
		return strings.Compare(c.seg, s)
	})
}

func (n *pathNode[T]) hasEntry() bool { return n.policy != nil || n.ch != (reactor.Channel[T]{}) }

// members returns n's group, building and caching it on first use.
func (n *pathNode[T]) members() *pathGroup[T] {
	if g := n.group.Load(); g != nil {
		return g
	}
	var targets []reactor.Channel[T]
	var keys []uint64
	var paths []string
	var walk func(*pathNode[T])
	walk = func(m *pathNode[T]) {
		if m.ch != (reactor.Channel[T]{}) {
			targets = append(targets, m.ch)
			keys = append(keys, KeyOf(m.path))
			paths = append(paths, m.path)
		}
		for _, c := range m.children {
			walk(c.n)
		}
	}
	walk(n)
	g := &pathGroup[T]{set: newMemberSet(targets, keys), paths: paths}
	if n.group.CompareAndSwap(nil, g) {
		return g
	}
	return n.group.Load()
}

// find validates a send path and walks it from root. The node is nil when
// nothing is registered at the path (or below it).
func find[T any](root *pathNode[T], path string) (*pathNode[T], marker, error) {
	if err := checkLen(path); err != nil {
		return nil, noMarker, err
	}
	n, rest := root, path
	for {
		seg, tail, more := strings.Cut(rest, "/")
		if !more {
			if m := markerOf(seg); m != noMarker {
				return n, m, nil
			}
		}
		if err := checkSegment(path, seg); err != nil {
			return nil, noMarker, err
		}
		if n != nil {
			n = n.child(seg)
		}
		if !more {
			return n, noMarker, nil
		}
		rest = tail
	}
}

// pathRoute is what a send path resolves to: one channel, or a group and the
// policy that picks in it.
type pathRoute[T any] struct {
	ch     reactor.Channel[T]
	group  *pathGroup[T]
	policy Policy[T]
}

// resolve applies the routing rules (see [Paths]) to a walked path.
func (p *Paths[T]) resolve(n *pathNode[T], m marker, path string) (pathRoute[T], error) {
	switch {
	case n == nil:
		return pathRoute[T]{}, fmt.Errorf("%w: nothing registered at %q", ErrNoRoute, path)
	case n.ch != (reactor.Channel[T]{}):
		if m != noMarker {
			return pathRoute[T]{}, fmt.Errorf("%w: %q", ErrNotGroup, path)
		}
		return pathRoute[T]{ch: n.ch}, nil
	case n.policy != nil:
		if m != noMarker && (m == broadcastMarker) != isBroadcast(n.policy) {
			return pathRoute[T]{}, fmt.Errorf("%w: %q: marker %q", ErrPolicyKind, path, m)
		}
		return pathRoute[T]{group: n.members(), policy: n.policy}, nil
	case m != noMarker && p.implicit:
		pol := p.rr
		if m == broadcastMarker {
			pol = Broadcast[T]()
		}
		return pathRoute[T]{group: n.members(), policy: pol}, nil
	case m != noMarker:
		return pathRoute[T]{}, fmt.Errorf("%w: no policy at %q and implicit routing is off", ErrNoRoute, path)
	default:
		return pathRoute[T]{}, fmt.Errorf("%w: %q names no channel", ErrNoRoute, path)
	}
}

// send delivers v along rt and reports whether the policy chose any
// target; the errors it returns are the targets'.
func (rt *pathRoute[T]) send(v T) (routed bool, err error) {
	if rt.group == nil {
		return true, rt.ch.Send(v)
	}
	return deliver("paths", rt.policy, rt.group.set, v)
}

// Send routes v by path (see [Paths] for the rules). It returns [ErrBadPath],
// [ErrNoRoute], [ErrNotGroup] or [ErrPolicyKind] (wrapped, with the path) when
// the path does not route, dead-lettering v; otherwise the target's Send
// error, or for a broadcast the members' errors joined. It allocates
// nothing of its own.
func (p *Paths[T]) Send(path string, v T) error {
	n, m, err := find(p.root.Load(), path)
	if err != nil {
		return p.fail(path, v, err)
	}
	return p.sendResolved(n, m, path, v)
}

func (p *Paths[T]) sendResolved(n *pathNode[T], m marker, path string, v T) error {
	rt, err := p.resolve(n, m, path)
	if err != nil {
		return p.fail(path, v, err)
	}
	if routed, err := rt.send(v); routed {
		return err
	}
	return p.fail(path, v, fmt.Errorf("%w: empty group at %q", ErrNoRoute, path))
}

func (p *Paths[T]) fail(path string, v T, err error) error {
	p.sys.DeadLetter(path, reactor.ReasonNoRoute, v)
	return err
}

// Members returns the paths a send to path can reach, in member order: the
// path itself for a channel, the group's member paths for a group. It
// fails like [Paths.Send], without sending or dead-lettering anything.
func (p *Paths[T]) Members(path string) ([]string, error) {
	n, m, err := find(p.root.Load(), path)
	if err != nil {
		return nil, err
	}
	rt, err := p.resolve(n, m, path)
	if err != nil {
		return nil, err
	}
	if rt.group == nil {
		return []string{n.path}, nil
	}
	if len(rt.group.paths) == 0 {
		return nil, fmt.Errorf("%w: empty group at %q", ErrNoRoute, path)
	}
	return slices.Clone(rt.group.paths), nil
}
