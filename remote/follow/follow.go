package follow

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/node"
	"github.com/reactors-go/reactors/router"
)

// Binding keeps a router's targets, or a group of a path tree, in step
// with the registry's exporters of a name (see [Router] and [Paths]). Its
// methods are safe for concurrent use. The zero Binding follows nothing
// (its [Binding.Stop] does nothing). A Binding must not be copied.
type Binding struct {
	stop func() // unregisters the follower from the node's registry
	once sync.Once
}

// Router keeps rt's targets equal to the NodeChannels of name on the
// registry's members that export it, sorted by node id, as n sees the
// registry: at once when Router returns, and then on every change,
// before the change is sent to n's MemberWatch channels (a watcher that
// sees a member join with the name can send through rt and reach it).
// Round-robin, hash and consistent-hash policies of rt so work across
// nodes: with every node's channel name the same everywhere ("remote:"
// name "@" id), two nodes following one name route a key to the same
// node.
//
// The [Binding] owns rt's targets: targets added by others are removed at the
// next change. A change that inserts a node before others in the order
// re-adds the later ones (Remove then Add, so the order stays sorted); a send
// that races with it may miss those for a moment, never all of them unless
// the set was empty. Each change costs O(targets) router updates, each a copy
// of the target set. [Binding.Stop] ends the following and leaves rt's
// targets as they are.
//
// It returns [remote.ErrNoRegistry] for a node started without
// [remote.WithRegistry], and [remote.ErrInvalidName] for a name
// [remote.Subject] refuses.
func Router[T any](n *remote.Node, name string, rt *router.Router[T], opts ...remote.ChannelOption[T]) (*Binding, error) {
	if err := check(n, name); err != nil {
		return nil, err
	}
	chans := map[string]reactor.Channel[T]{} // by node id; guarded by the registry's lock
	var order []string                       // node ids in rt, in rt's order
	set := func(ids []string) {
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
				if ch, err = remote.NodeChannel[T](n, id, name, opts...); err != nil {
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
	return bind(n, name, set)
}

// Paths keeps the group at prefix in the path tree p equal to the
// exporters of name: the NodeChannel of name on each member that exports
// it is registered at prefix + "/" + its node id (node ids are valid path
// segments), and unregistered when the member leaves or stops exporting
// name. So path routing works across nodes: with SetPolicy(prefix,
// router.Broadcast()) a send to prefix + "/*" reaches every exporting
// node once; with another policy prefix + "/?" selects one node by it;
// prefix + "/" + id reaches one node. Changes are applied as [Router]'s
// are, before n's watchers hear of them.
//
// The [Binding] owns the paths below prefix that are node ids: a path it
// finds taken when a node joins is replaced. A registration that fails
// otherwise is logged on n's system and retried at the next change. Each
// change costs one Register or Unregister per joining or leaving member.
// [Binding.Stop] ends the following and leaves the paths as they are.
//
// It returns [remote.ErrNoRegistry] for a node started without
// [remote.WithRegistry], [remote.ErrInvalidName] for a name [remote.Subject]
// refuses, and [router.ErrBadPath] for a prefix that is not a plain path.
func Paths[T any](n *remote.Node, name string, p *router.Paths[T], prefix string, opts ...remote.ChannelOption[T]) (*Binding, error) {
	if err := check(n, name); err != nil {
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
	set := func(ids []string) {
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
			ch, err := remote.NodeChannel[T](n, id, name, opts...)
			if err == nil {
				path := prefix + "/" + id
				if err = p.Register(path, ch); errors.Is(err, router.ErrPathTaken) {
					err = p.Replace(path, ch)
				}
			}
			if err != nil {
				n.System().Logger().Warn().Err(err).Str("path", prefix+"/"+id).Msg("follow: node path not registered")
				continue
			}
			at[id] = true
		}
	}
	return bind(n, name, set)
}

// check refuses a node without a registry, then a bad name.
func check(n *remote.Node, name string) error {
	if n.ID() == "" {
		return remote.ErrNoRegistry
	}
	_, err := remote.Subject(n.Namespace(), name)
	return err
}

// bind registers set as a follower of name's exporters on n's registry.
func bind(n *remote.Node, name string, set func(ids []string)) (*Binding, error) {
	stop, err := node.Of(n).Follow(name, set)
	if err != nil {
		return nil, err
	}
	return &Binding{stop: stop}, nil
}

// Stop ends the following: later registry changes no longer touch the
// router or the path tree, whose targets stay as they are. It is
// idempotent; it waits for a change being applied to end.
func (b *Binding) Stop() {
	b.once.Do(func() {
		if b.stop != nil {
			b.stop()
		}
	})
}
