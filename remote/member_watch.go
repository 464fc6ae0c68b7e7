package remote

import (
	"slices"
	"sync"
)

// MemberChange says what happened to a member of the registry.
type MemberChange int

const (
	// MemberJoined: a lease appeared (a node started, or a node this one
	// had seen leave came back).
	MemberJoined MemberChange = iota + 1
	// MemberUpdated: a member's names changed (an [Export] or a [Serve], or
	// the [Exported.Close] of one).
	MemberUpdated
	// MemberLeft: a lease was removed by its node's [Node.Close], or expired
	// ([MemberEvent.Expired]).
	MemberLeft
)

// String returns "joined", "updated" or "left".
func (c MemberChange) String() string {
	switch c {
	case MemberJoined:
		return "joined"
	case MemberUpdated:
		return "updated"
	case MemberLeft:
		return "left"
	}
	return "unknown"
}

// MemberEvent is one change of the registry as a node sees it.
type MemberEvent struct {
	Change MemberChange
	// Member is the member after the change; for [MemberLeft], as it was
	// last seen.
	Member Member
	// Expired reports, for [MemberLeft], that the lease expired (its node
	// stopped renewing it) rather than being removed by its node's [Node.Close].
	Expired bool
}

// MemberWatch delivers a node's registry changes (see [Node.WatchMembers]).
// Its methods are safe for concurrent use.
type MemberWatch struct {
	ch   chan MemberEvent
	once sync.Once
	mu   sync.Mutex
	err  error // guarded by mu; set before ch is closed
	r    *registry
}

// WatchMembers returns a watch of the registry: its channel first holds a
// [MemberJoined] event for every current member (sorted by id, this node
// included), then every later change in the order this node saw it. Renewals
// that change nothing are not events. A member's names are those [Node.Members]
// lists: on a node with an embedded server, a name a member exports
// appears ([MemberUpdated]) once this node's server can route to it.
//
// The channel has room for size events (size < 1 means 64, and it always has
// room for the current members). Events are never dropped silently: a watcher
// that falls behind so that an event finds the channel full has its channel
// closed after the events already in it, and [MemberWatch.Err] returns
// [ErrWatchOverflow]; it may then call Members and watch again. The channel
// is also closed, with Err nil, after [MemberWatch.Stop], and with
// [ErrClosed] when the node closes or loses its connection. Events are sent
// by the node's one watch goroutine, which never blocks on a watcher.
//
// It returns [ErrNoRegistry] for a node started without [WithRegistry], and
// ErrClosed for a closed node. It costs one channel of the given size.
func (n *Node) WatchMembers(size int) (*MemberWatch, error) {
	if n.reg == nil {
		return nil, ErrNoRegistry
	}
	r := n.reg
	if size < 1 {
		size = 64
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.halted {
		return nil, ErrClosed
	}
	ids := make([]string, 0, len(r.members))
	for id := range r.members {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	w := &MemberWatch{ch: make(chan MemberEvent, max(size, len(ids))), r: r}
	for _, id := range ids {
		m := r.members[id]
		w.ch <- MemberEvent{Change: MemberJoined, Member: Member{ID: id, Names: slices.Clone(m.Names)}}
	}
	r.watchers[w] = struct{}{}
	return w, nil
}

// Changes returns the watch's channel (the same on every call); see
// [Node.WatchMembers] for who closes it and what a full channel does.
func (w *MemberWatch) Changes() <-chan MemberEvent { return w.ch }

// Err returns why the channel was closed: nil after [MemberWatch.Stop] (or
// while open), [ErrWatchOverflow] if the watcher fell behind, [ErrClosed] if
// the node closed. The closing of the channel synchronizes before Err returns
// the reason.
func (w *MemberWatch) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Stop ends the watch and closes its channel (events still in it can be
// read). It is idempotent.
func (w *MemberWatch) Stop() {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	w.end(w.r, nil)
}

// offer sends ev without blocking, or ends the watch with
// [ErrWatchOverflow]. r.mu is held.
func (w *MemberWatch) offer(r *registry, ev MemberEvent) {
	ev.Member.Names = slices.Clone(ev.Member.Names)
	select {
	case w.ch <- ev:
	default:
		w.end(r, ErrWatchOverflow)
	}
}

// end closes the watch's channel once with err. r.mu is held.
func (w *MemberWatch) end(r *registry, err error) {
	w.once.Do(func() {
		delete(r.watchers, w)
		w.mu.Lock()
		w.err = err
		w.mu.Unlock()
		close(w.ch)
	})
}
