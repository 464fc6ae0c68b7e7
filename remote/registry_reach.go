package remote

import (
	"slices"
	"time"
)

// A member writes its lease once it has subscribed the names the lease
// lists, but another server of a cluster (or the servers behind a leaf
// node's hub) learns of those subscriptions asynchronously, over routes
// that carry nothing in order with the registry's own messages: a node
// could see a name in the registry before its server could route a
// message to it, and a NodeClient's Ask would find no server. So a node
// with an embedded server lists a name of another member only once its
// own server holds the interest of that member's node subject of the
// name: from then on NodeChannel, NodeClient and remote/follow's targets
// reach it. Until then the member's lease waits, whole, in registry.pending,
// the member is listed with the names its server already routes to, and
// the watch goroutine looks again every reachPoll (a lease of a dead node
// waits until it expires). The node subject is the last subject an
// export or a server subscribes (see subscribeMore), and a route carries
// one account's interest in the order it was subscribed, so its arrival
// means the name's other subjects have arrived too. A node without an
// embedded server (WithURL) cannot see its server's interest: it lists
// names as the leases say.

// reachPoll is how often the watch goroutine looks again at pending
// leases.
const reachPoll = 5 * time.Millisecond

// shownLocked returns the lease m as this node lists it: with the names
// this node already listed for m's member (in old) or can route to now.
// r.mu is held.
func (r *registry) shownLocked(m, old Member) Member {
	if r.n.srv == nil || m.ID == r.id {
		return m
	}
	shown := Member{ID: m.ID, Names: make([]string, 0, len(m.Names))}
	for _, name := range m.Names {
		if old.Exports(name) || r.routes(m.ID, name) {
			shown.Names = append(shown.Names, name)
		}
	}
	return shown
}

// routes reports whether the node's embedded server routes messages to
// the node subject of name on member id: it holds that subscription's
// interest. A name with no valid subject has nothing to wait for.
func (r *registry) routes(id, name string) bool {
	subj, err := Subject(r.n.ns, name)
	if err != nil {
		return true
	}
	return r.n.srv.GlobalAccount().Interest(nodeSubject(r.n.ns, subj, id)) > 0
}

// setLocked records the lease m of a member and lists it as shownLocked
// allows. It returns the member as listed before (had: it was listed)
// and after, for the caller's event. r.mu is held.
func (r *registry) setLocked(m Member) (before Member, had bool, after Member) {
	before, had = r.members[m.ID]
	after = r.shownLocked(m, before)
	if len(after.Names) < len(m.Names) {
		r.pending[m.ID] = m
	} else {
		delete(r.pending, m.ID)
	}
	r.members[m.ID] = after
	return before, had, after
}

// leaseLocked returns the lease last seen of member id: the pending one
// if names of it are not listed yet. r.mu is held.
func (r *registry) leaseLocked(id string) (Member, bool) {
	if m, ok := r.pending[id]; ok {
		return m, true
	}
	m, ok := r.members[id]
	return m, ok
}

// promote lists the pending names this node's server now routes to,
// telling watchers and followers of each member whose names grew. Only
// the watch goroutine calls it.
func (r *registry) promote() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.pending {
		before, _, after := r.setLocked(m)
		if !slices.Equal(before.Names, after.Names) {
			r.notifyLocked(MemberEvent{Change: MemberUpdated, Member: after})
		}
	}
}

// hasPending reports whether names of some lease are not listed yet.
func (r *registry) hasPending() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pending) > 0
}
