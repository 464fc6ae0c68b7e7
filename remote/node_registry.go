package remote

import "slices"

// ID returns the node's id in the registry: [WithNodeID]'s, or a random one
// chosen at [Start]. It is "" for a node started without [WithRegistry].
func (n *Node) ID() string {
	if n.reg == nil {
		return ""
	}
	return n.reg.id
}

// Members returns the registry's members as this node last saw them,
// sorted by id, this node included. A member joins when its lease is
// first written and leaves when its node closes (at once) or its lease
// expires (at most its TTL after its last renewal, plus the time the NATS
// server takes to notice, about a second). [Start] loads the registry before
// it returns, so Members is complete from then on; changes arrive
// asynchronously (see [Node.WatchMembers]).
//
// On a node with an embedded server (not [WithURL]), another member's name is
// listed only once this node's server routes to that member's export of it
// (its interest has crossed the routes or the leaf connection, about a
// millisecond on one machine): a listed name is reachable at once by
// [NodeChannel], [NodeClient] and remote/follow's routers. Until then the
// member is listed with the names it can be reached by; names that never
// become reachable (their node died) are never listed. A node started WithURL
// lists the names as the leases say, and another server of its NATS cluster
// may learn of them a moment later.
//
// It returns [ErrNoRegistry] for a node started without [WithRegistry]. It
// allocates a copy: O(members + names).
func (n *Node) Members() ([]Member, error) {
	if n.reg == nil {
		return nil, ErrNoRegistry
	}
	r := n.reg
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Member, 0, len(r.members))
	for _, m := range r.members {
		out = append(out, Member{ID: m.ID, Names: slices.Clone(m.Names)})
	}
	slices.SortFunc(out, func(a, b Member) int {
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	return out, nil
}

// Exporters returns the ids of the members that export or serve name,
// sorted, as this node last saw them and, with an embedded server, can
// reach them (see [Node.Members]). It returns [ErrNoRegistry] for a node started
// without [WithRegistry].
func (n *Node) Exporters(name string) ([]string, error) {
	if n.reg == nil {
		return nil, ErrNoRegistry
	}
	n.reg.mu.Lock()
	defer n.reg.mu.Unlock()
	return n.reg.exportersLocked(name), nil
}
