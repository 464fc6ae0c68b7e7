package remote

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

// Following keeps a router's targets in step with the registry's
// exporters of a name (see Follow). Its methods are safe for concurrent
// use.
type Following struct {
	r    *registry
	f    *follower
	once sync.Once
}

// follower is the registry's side of a Following. sync runs under the
// registry's lock, so calls are serialized.
type follower struct {
	name    string
	set     func(ids []string) // replaces the router's targets
	stopped bool
}

// Follow keeps rt's targets equal to the NodeChannels of name on the
// registry's members that export it, sorted by node id, as this node sees
// the registry: at once when Follow returns, and then on every change,
// before the change is sent to the node's MemberWatch channels (a watcher
// that sees a member join with the name can send through rt and reach
// it). Round-robin, hash and consistent-hash policies of rt so work across
// nodes: with every node's channel name the same everywhere ("remote:"
// name "@" id), two nodes following one name route a key to the same
// node.
//
// Follow owns rt's targets: targets added by others are removed at the
// next change. A change that inserts a node before others in the order
// re-adds the later ones (Remove then Add, so the order stays sorted);
// a send that races with it may miss those for a moment, never all of
// them unless the set was empty. Each change costs O(targets) router
// updates, each a copy of the target set. Stop ends the following and
// leaves rt's targets as they are.
//
// It returns ErrNoRegistry for a node started without WithRegistry, and
// ErrInvalidName for a name Subject refuses.
func Follow[T any](n *Node, name string, rt *router.Router[T], opts ...ChannelOption[T]) (*Following, error) {
	if n.reg == nil {
		return nil, ErrNoRegistry
	}
	if _, err := n.subject(name); err != nil {
		return nil, err
	}
	chans := map[string]reactor.Channel[T]{} // by node id; guarded by the registry's lock
	var order []string                       // node ids in rt, in rt's order
	f := &follower{name: name}
	f.set = func(ids []string) {
		if f.stopped {
			return
		}
		// Drop the targets of nodes that left, then move every id from
		// the first difference on to the end, in order.
		for i := 0; i < len(order); {
			if _, ok := slices.BinarySearch(ids, order[i]); ok {
				i++
				continue
			}
			rt.Remove(chans[order[i]])
			delete(chans, order[i])
			order = slices.Delete(order, i, i+1)
		}
		i := 0
		for i < len(order) && i < len(ids) && order[i] == ids[i] {
			i++
		}
		for _, id := range ids[i:] {
			ch, ok := chans[id]
			if !ok {
				var err error
				if ch, err = NodeChannel[T](n, id, name, opts...); err != nil {
					continue // ids come from valid leases
				}
				chans[id] = ch
			} else {
				rt.Remove(ch)
			}
			_ = rt.Add(ch)
		}
		order = slices.Clone(ids)
		// Anything else in rt is not ours to keep.
		for _, t := range rt.Targets() {
			if !slices.ContainsFunc(order, func(id string) bool { return chans[id] == t }) {
				rt.Remove(t)
			}
		}
	}
	r := n.reg
	r.mu.Lock()
	defer r.mu.Unlock()
	f.sync(r.exportersLocked(name))
	r.followers[f] = struct{}{}
	return &Following{r: r, f: f}, nil
}

// sync sets the follower's targets to the exporters ids. The registry's
// lock is held.
func (f *follower) sync(ids []string) { f.set(ids) }

// Stop ends the following: later registry changes no longer touch the
// router, whose targets stay as they are. It is idempotent.
func (fw *Following) Stop() {
	fw.once.Do(func() {
		fw.r.mu.Lock()
		defer fw.r.mu.Unlock()
		fw.f.stopped = true
		delete(fw.r.followers, fw.f)
	})
}

// FollowPaths keeps the group at prefix in the path tree p equal to the
// exporters of name: the NodeChannel of name on each member that exports
// it is registered at prefix + "/" + its node id (node ids are valid path
// segments), and unregistered when the member leaves or stops exporting
// name. So path routing works across nodes: with SetPolicy(prefix,
// router.Broadcast()) a send to prefix + "/*" reaches every exporting
// node once; with another policy prefix + "/?" selects one node by it;
// prefix + "/" + id reaches one node. Changes are applied as Follow's are,
// before the node's watchers hear of them.
//
// FollowPaths owns the paths below prefix that are node ids: a path it
// finds taken when a node joins is replaced. A registration that fails
// otherwise is logged on the node's system and retried at the next
// change. Each change costs one Register or Unregister per joining or
// leaving member. Stop ends the following and leaves the paths as they
// are.
//
// It returns ErrNoRegistry for a node started without WithRegistry,
// ErrInvalidName for a name Subject refuses, and router.ErrBadPath for a
// prefix that is not a plain path.
func FollowPaths[T any](n *Node, name string, p *router.Paths[T], prefix string, opts ...ChannelOption[T]) (*Following, error) {
	if n.reg == nil {
		return nil, ErrNoRegistry
	}
	if _, err := n.subject(name); err != nil {
		return nil, err
	}
	if _, err := p.Channel(prefix); err != nil {
		return nil, err
	}
	for _, seg := range strings.Split(prefix, "/") {
		if seg == router.BroadcastMarker || seg == router.SelectMarker {
			return nil, fmt.Errorf("%w: %q: a prefix takes no marker", router.ErrBadPath, prefix)
		}
	}
	at := map[string]bool{} // node ids registered; guarded by the registry's lock
	f := &follower{name: name}
	f.set = func(ids []string) {
		if f.stopped {
			return
		}
		for id := range at {
			if _, ok := slices.BinarySearch(ids, id); !ok {
				_ = p.Unregister(prefix + "/" + id)
				delete(at, id)
			}
		}
		for _, id := range ids {
			if at[id] {
				continue
			}
			ch, err := NodeChannel[T](n, id, name, opts...)
			if err == nil {
				path := prefix + "/" + id
				if err = p.Register(path, ch); errors.Is(err, router.ErrPathTaken) {
					err = p.Replace(path, ch)
				}
			}
			if err != nil {
				n.sys.Logger().Warn().Err(err).Str("path", prefix+"/"+id).Msg("remote: node path not registered")
				continue
			}
			at[id] = true
		}
	}
	r := n.reg
	r.mu.Lock()
	defer r.mu.Unlock()
	f.sync(r.exportersLocked(name))
	r.followers[f] = struct{}{}
	return &Following{r: r, f: f}, nil
}
