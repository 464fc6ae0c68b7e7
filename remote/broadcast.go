package remote

import (
	"github.com/nats-io/nats.go"

	"github.com/reactors-go/reactors/reactor"
)

// The subjects of a name beside its queue-group subject "<ns>.<tokens>":
// "<ns>.#<id>.<tokens>" reaches the export of one node and "<ns>.#.<tokens>"
// the exports of every node. Subject never makes a token with '#' (it is
// a separator of names), so these never collide with a name's subject.

// nodeSubject returns the subject of name's export on node id, given the
// name's subject subj in namespace ns.
func nodeSubject(ns, subj, id string) string {
	return ns + ".#" + id + subj[len(ns):]
}

// broadcastSubject returns the subject that reaches name's export on
// every node, given the name's subject subj in namespace ns.
func broadcastSubject(ns, subj string) string {
	return ns + ".#" + subj[len(ns):]
}

// subscribeMore subscribes handle to the broadcast subject (with
// broadcast) and then the node subject of an export whose subject is
// subj, if the node has a registry. The node subject comes last: other
// nodes list the name once its interest reached them (registry_reach.go).
func (n *Node) subscribeMore(subj string, handle nats.MsgHandler, broadcast bool) ([]*nats.Subscription, error) {
	if n.reg == nil {
		return nil, nil
	}
	var subjects []string
	if broadcast {
		subjects = append(subjects, broadcastSubject(n.ns, subj))
	}
	subjects = append(subjects, nodeSubject(n.ns, subj, n.reg.id))
	var subs []*nats.Subscription
	for _, s := range subjects {
		sub, err := n.nc.Subscribe(s, handle)
		if err == nil {
			if err = n.limitPending(sub); err != nil {
				_ = sub.Unsubscribe()
			}
		}
		if err != nil {
			for _, s := range subs {
				_ = s.Unsubscribe()
			}
			return nil, err
		}
		subs = append(subs, sub)
	}
	return subs, nil
}

// Broadcast returns a channel whose every send reaches the export of name
// on every node of the namespace that was started [WithRegistry] and
// exports it: one copy per such node, each delivered once (core NATS:
// at most once). It is the explicit form of broadcast; [Channel] never
// broadcasts. Each export has a plain (not queue-group) subscription to
// the name's broadcast subject for it.
//
// Send costs what a Channel send costs: one publish, whatever the number of
// receivers (the NATS servers make the copies). Its errors, ordering (per
// sender and receiving node) and delivery are Channel's; an event sent while
// no node exports name is gone without error. The channel's
// [reactor.Channel.Name] is "remote:" followed by name and "@all". It returns
// [ErrInvalidName] for a name [Subject] refuses; the sending node needs no
// registry.
func Broadcast[T any](n *Node, name string, opts ...ChannelOption[T]) (reactor.Channel[T], error) {
	subj, err := n.subject(name)
	if err != nil {
		return reactor.Channel[T]{}, err
	}
	cfg := chanOptions(opts)
	return reactor.ChannelOf[T](&sender[T]{
		n: n, name: name + "@all", subject: broadcastSubject(n.ns, subj), codec: cfg.codec,
	}), nil
}

// NodeChannel returns a channel whose sends reach the export of name on
// the node whose registry id is id (see [Node.ID] and [Node.Members]), and only
// there: routers across nodes are built of such channels (see package
// remote/follow).
// The node need not be a member yet: events sent while it does not export
// name are gone without error, as [Channel]'s are.
//
// Send costs and guarantees are Channel's. The channel's
// [reactor.Channel.Name] is "remote:" followed by name, "@" and id, so it is
// the same on every node and key-affine router policies (Hash,
// ConsistentHash) agree across nodes. It returns [ErrInvalidName] for a bad
// name or node id; the sending node needs no registry.
func NodeChannel[T any](n *Node, id, name string, opts ...ChannelOption[T]) (reactor.Channel[T], error) {
	subj, err := n.subject(name)
	if err != nil {
		return reactor.Channel[T]{}, err
	}
	if err := checkNodeID(id); err != nil {
		return reactor.Channel[T]{}, err
	}
	cfg := chanOptions(opts)
	return reactor.ChannelOf[T](&sender[T]{
		n: n, name: name + "@" + id, subject: nodeSubject(n.ns, subj, id), codec: cfg.codec,
	}), nil
}
