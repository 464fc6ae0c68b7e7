package remote

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/reactors-go/reactors/remote/internal/node"
)

// A registry on a JetStream cluster watches the bucket through an
// ordered consumer that lives on one of the cluster's servers, chosen by
// JetStream. When that server shuts down, the consumer is gone, and
// nats.go notices only after two missed heartbeats of five seconds, then
// recreates it: for ten seconds or more the watch would show nothing. A
// member that closes removes its lease before its server stops, so every
// other member sees it leave while the watch still works; rewatch then
// waits until that server's routes are gone and replaces the watch by a
// new one on the servers that remain. A server that dies without Close
// still costs the ten seconds (its lease expires within that time anyway).

// Bounds of a rewatch: how long to wait for the leaving server's routes
// to go and for a new watch to load, and the pause between attempts.
const (
	routeGoneLimit = 2 * time.Second
	rewatchLimit   = 10 * time.Second
	rewatchPause   = 50 * time.Millisecond
)

// rewatch replaces kw by a new watch after the member id left, once the
// routes to its server (named after it) are gone. It applies what the new
// watch loads and reports members it no longer holds as left (expired:
// their removal was missed). It returns the watch to use: the new one, or
// kw if none could be made within rewatchLimit (kw then recovers by
// itself). It gives up at once when the registry stops.
func (r *registry) rewatch(kw jetstream.KeyWatcher, id string) jetstream.KeyWatcher {
	if !r.routeGone(id) {
		return kw
	}
	ctx, cancel := context.WithTimeout(r.life, rewatchLimit)
	defer cancel()
	nkw, seen, err := r.watchUntil(ctx)
	if err != nil {
		r.n.sys.Logger().Warn().Str("left", id).Err(err).Msg("remote: registry watch not renewed; it recovers by itself")
		return kw
	}
	node.StopWatch(kw)
	r.forgetUnseen(seen)
	return nkw
}

// newWatch makes a watch of the whole bucket and applies the values it
// loads, up to the nil entry that ends them; it returns the watch and the
// keys it loaded. The watch lives as long as the registry, so its context
// cannot carry ctx's deadline; making and loading it still ends with ctx:
// the JetStream client's request (bounded only by its default timeout, 5
// s, on a context without deadline) is cancelled when ctx ends, and a
// watch that did not load is stopped. A watch that loads a copy of the
// bucket without this node's lease is stopped unapplied (errWatchBehind).
func (r *registry) newWatch(ctx context.Context) (jetstream.KeyWatcher, map[string]bool, error) {
	life, abort := context.WithCancel(r.life)
	stop := context.AfterFunc(ctx, abort) // out of time: the attempt ends
	kw, err := r.kv.WatchAll(life)
	if err != nil {
		stop()
		abort()
		return nil, nil, err
	}
	seen, err := r.load(ctx, kw)
	if err == nil && stop() {
		return kw, seen, nil // lives on life, which ends with r.life
	}
	node.StopWatch(kw)
	abort()
	if cause := context.Cause(ctx); cause != nil {
		return nil, nil, fmt.Errorf("values not loaded: %w", cause)
	}
	return nil, nil, err
}

// watchUntil tries newWatch until a watch loads or ctx ends, pausing
// rewatchPause between attempts; it returns the last attempt's error.
// After a watch that loaded without this node's lease it writes the lease
// again: either the copy read was behind, and the rewrite changes
// nothing, or the bucket no longer holds the lease (seen on a JetStream
// cluster still electing its first leaders), and the rewrite restores it
// for the next watch.
func (r *registry) watchUntil(ctx context.Context) (jetstream.KeyWatcher, map[string]bool, error) {
	for {
		kw, seen, err := r.newWatch(ctx)
		if err == nil {
			return kw, seen, nil
		}
		if errors.Is(err, errWatchBehind) {
			r.rewrite(ctx)
		}
		select {
		case <-ctx.Done():
			return nil, nil, err
		case <-time.After(rewatchPause):
		}
	}
}

// rewrite writes the node's lease again after a watch loaded without it
// (see watchUntil), bounded by ctx and clusterAttemptLimit. A failure
// shows in the next watch, which is tried again.
func (r *registry) rewrite(ctx context.Context) {
	attempt, cancel := context.WithTimeout(ctx, clusterAttemptLimit)
	defer cancel()
	_ = r.put(attempt)
}

// routeGone waits until the node's server has no route to the server
// named name, at most routeGoneLimit; it reports false if the registry
// stopped or the routes stayed.
func (r *registry) routeGone(name string) bool {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	giveUp := time.After(routeGoneLimit)
	for {
		rz, err := r.n.srv.Routez(nil)
		if err != nil {
			return false
		}
		found := false
		for _, ri := range rz.Routes {
			found = found || ri.RemoteName == name
		}
		if !found {
			return true
		}
		select {
		case <-tick.C:
		case <-giveUp:
			return false
		case <-r.life.Done():
			return false
		}
	}
}

// load applies the initial values of a new watch, up to the nil entry
// that ends them, and returns the keys it saw. It applies nothing and
// returns errWatchBehind if the values lack this node's lease: the node
// wrote it, and JetStream acknowledged it, before making the watch, so
// such a watch reads a copy of the bucket that is behind (a consumer of a
// JetStream cluster can start on a server that has not caught up yet).
// (It can also read a bucket that lost the lease: see watchUntil.) It
// returns errWatchEnded if the watch ends first, and ctx's cause if ctx
// ends first.
func (r *registry) load(ctx context.Context, kw jetstream.KeyWatcher) (map[string]bool, error) {
	seen := map[string]bool{}
	var entries []jetstream.KeyValueEntry
	for {
		select {
		case e, ok := <-kw.Updates():
			if !ok {
				return nil, errWatchEnded
			}
			if e == nil {
				if !seen[r.id] {
					return nil, errWatchBehind
				}
				for _, e := range entries {
					r.apply(e)
				}
				return seen, nil
			}
			if e.Operation() == jetstream.KeyValuePut {
				seen[e.Key()] = true
			}
			entries = append(entries, e)
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

// forgetUnseen reports every member a new watch did not load as left.
func (r *registry) forgetUnseen(seen map[string]bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, m := range r.members {
		if !seen[id] {
			delete(r.members, id)
			delete(r.pending, id)
			r.notifyLocked(MemberEvent{Change: MemberLeft, Member: m, Expired: true})
		}
	}
}
