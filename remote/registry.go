package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/reactors-go/reactors/remote/internal/node"
)

// markerTTL is how long the registry keeps the marker of a removed or
// expired lease, so that watchers that are behind still see the removal.
const markerTTL = 10 * time.Second

// registry is a node's lease in the registry bucket and its view of the
// other leases. The watch goroutine is the only writer of members.
type registry struct {
	n         *Node
	id        string
	ttl       time.Duration
	kv        jetstream.KeyValue
	js        jetstream.JetStream
	subj      string // the subject of the node's lease
	apiPrefix string // "" or "$JS.<domain>.API.": what a publish to a bucket's subject needs before it
	poke      chan struct{}
	stop      chan struct{}   // closed by leave: stops both goroutines
	life      context.Context // ended by leave: bounds the watch's requests
	end       context.CancelFunc
	done      sync.WaitGroup
	leftOnce  sync.Once

	mu        sync.Mutex
	names     map[string]struct{}       // guarded by mu: names announced in the lease
	members   map[string]Member         // guarded by mu: the registry as last seen and listed
	pending   map[string]Member         // guarded by mu: leases with names not listed yet (registry_reach.go)
	watchers  map[*MemberWatch]struct{} // guarded by mu
	followers map[*follower]struct{}    // guarded by mu
	halted    bool                      // guarded by mu: no more watch events

	lease atomic.Pointer[node.Lease] // the node's lease as last renewed (see put)
}

// bucketName returns the registry bucket of a namespace: one bucket per
// namespace, named after a hash of it (namespaces may hold characters
// bucket names may not).
func bucketName(ns string) string {
	return "reactors_registry_" + strconv.FormatUint(xxhash.Sum64String(ns), 16)
}

// startRegistry creates or opens the namespace's bucket, writes the
// node's lease, loads the current leases and starts the renewal and watch
// goroutines.
func startRegistry(ctx context.Context, n *Node, cfg nodeConfig) (*registry, error) {
	js, err := jetstream.New(n.nc)
	prefix := ""
	if cfg.jsDomain != "" {
		js, err = jetstream.NewWithDomain(n.nc, cfg.jsDomain)
		prefix = "$JS." + cfg.jsDomain + ".API."
	}
	if err != nil {
		return nil, fmt.Errorf("%w: registry: %w", ErrStart, err)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	bucket := bucketName(n.ns)
	replicas := 0 // 3, or as many as the JetStream system has servers
	if cfg.cluster != nil && cfg.storeDir != "" {
		replicas = cfg.cluster.replicas
	}
	kv, err := openBucket(ctx, js, bucket, n.ns, replicas)
	if err != nil {
		if replicas > 1 || cfg.cluster != nil {
			return nil, fmt.Errorf("%w: registry bucket (R%d) on a JetStream cluster not ready after %v (it needs a majority of its servers routed): %w",
				ErrStart, replicas, cfg.timeout, err)
		}
		return nil, fmt.Errorf("%w: registry bucket: %w", ErrStart, err)
	}
	r := &registry{
		n: n, id: cfg.nodeID, ttl: cfg.leaseTTL, kv: kv, js: js,
		subj: prefix + "$KV." + bucket + "." + cfg.nodeID, apiPrefix: prefix,
		poke: make(chan struct{}, 1), stop: make(chan struct{}),
		names: map[string]struct{}{}, members: map[string]Member{}, pending: map[string]Member{},
		watchers: map[*MemberWatch]struct{}{}, followers: map[*follower]struct{}{},
	}
	if err := r.firstPut(ctx); err != nil {
		return nil, fmt.Errorf("%w: registry lease: %w", ErrStart, err)
	}
	r.life, r.end = context.WithCancel(n.ctx)
	kw, err := r.firstWatch(ctx)
	if err != nil {
		r.end()
		return nil, fmt.Errorf("%w: registry watch (within %v): %w", ErrStart, cfg.timeout, err)
	}
	r.done.Add(2)
	go r.renew()
	go r.watch(kw)
	return r, nil
}

// firstWatch starts the registry's watch and applies the values it loads
// before [Start] returns, so that [Node.Members] is complete from the start. A
// bucket just created on a JetStream cluster may not answer at first
// while its stream settles: there it tries again until ctx ends. On any
// server, a watch that loaded a copy of the bucket without the node's
// lease (see load) is tried again, after the lease is written again,
// until ctx ends.
func (r *registry) firstWatch(ctx context.Context) (jetstream.KeyWatcher, error) {
	if r.n.cluster == nil {
		kw, _, err := r.newWatch(ctx)
		if !errors.Is(err, errWatchBehind) {
			return kw, err
		}
		r.rewrite(ctx)
	}
	kw, _, err := r.watchUntil(ctx)
	return kw, err
}

// openBucket creates the registry bucket or opens the existing one. A
// leaf node learns of its hub's JetStream asynchronously, and a JetStream
// cluster does not answer before it has elected its leader, so it retries
// while JetStream is not ready, each attempt bounded on its own, until
// ctx ends.
func openBucket(ctx context.Context, js jetstream.JetStream, bucket, ns string, replicas int) (jetstream.KeyValue, error) {
	want := replicas
	if want == 0 {
		want = 3
	}
	for {
		attempt, cancel := context.WithTimeout(ctx, clusterAttemptLimit)
		kv, err := js.CreateKeyValue(attempt, jetstream.KeyValueConfig{
			Bucket: bucket, History: 1, LimitMarkerTTL: markerTTL, Replicas: want,
			Description: "reactors registry of namespace " + ns,
		})
		if errors.Is(err, jetstream.ErrBucketExists) {
			kv, err = js.KeyValue(attempt, bucket)
		}
		if replicas == 0 && want > 1 && node.TooFewServers(err) {
			cancel()
			want-- // a smaller JetStream system: settle for fewer copies
			continue
		}
		notReady := clusterNotReady(attempt, err)
		cancel()
		if err == nil || !(notReady || errors.Is(err, jetstream.ErrJetStreamNotEnabled) ||
			errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) || errors.Is(err, nats.ErrNoResponders)) {
			return kv, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// put writes the node's lease with the registry's TTL.
func (r *registry) put(ctx context.Context) error {
	r.mu.Lock()
	m := Member{ID: r.id, Names: make([]string, 0, len(r.names))}
	for name := range r.names {
		m.Names = append(m.Names, name)
	}
	r.mu.Unlock()
	slices.Sort(m.Names)
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	// A plain KV Put cannot carry a per-key TTL: publish to the key's
	// subject with one, as Put would without it.
	start := time.Now()
	if _, err = r.js.PublishMsg(ctx, &nats.Msg{Subject: r.subj, Data: data}, jetstream.WithMsgTTL(r.ttl)); err != nil {
		return err
	}
	r.renewed(start)
	return nil
}

// renewed records a renewal of the lease sent at start: the server keeps
// the lease for a TTL from when it stored it, which is after start, so
// the lease holds at least until start plus the TTL. A renewal sent
// after the lease so recorded had ended starts a new generation: the
// others may have taken the node for gone meanwhile.
func (r *registry) renewed(start time.Time) {
	for {
		old := r.lease.Load()
		l := &node.Lease{Until: start.Add(r.ttl), TTL: r.ttl}
		if old != nil {
			l.Gen = old.Gen
			if start.After(old.Until) {
				l.Gen++
			}
			if !l.Until.After(old.Until) {
				return // an older renewal's answer, come late
			}
		}
		if r.lease.CompareAndSwap(old, l) {
			return
		}
	}
}

// firstPut writes the node's first lease. The stream of a bucket just
// created on a JetStream cluster answers once it has elected its leader:
// until then, it retries, each attempt bounded, until ctx ends.
func (r *registry) firstPut(ctx context.Context) error {
	for {
		attempt, cancel := context.WithTimeout(ctx, clusterAttemptLimit)
		err := r.put(attempt)
		retry := r.n.cluster != nil && (errors.Is(err, jetstream.ErrNoStreamResponse) || clusterNotReady(attempt, err))
		cancel()
		if err == nil || !retry {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// announce adds or removes name in the node's lease and asks the renewal
// goroutine to write it now.
func (r *registry) announce(name string, on bool) {
	r.mu.Lock()
	if on {
		r.names[name] = struct{}{}
	} else {
		delete(r.names, name)
	}
	r.mu.Unlock()
	select {
	case r.poke <- struct{}{}:
	default:
	}
}

// renew rewrites the lease every third of the TTL and whenever announce
// asks, until leave or the connection's end.
func (r *registry) renew() {
	defer r.done.Done()
	tick := time.NewTicker(r.ttl / 3)
	defer tick.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-r.n.closed:
			return
		case <-tick.C:
		case <-r.poke:
		}
		ctx, cancel := context.WithTimeout(r.n.ctx, r.ttl/3)
		if err := r.put(ctx); err != nil {
			r.n.sys.Logger().Warn().Err(err).Str("node", r.id).Msg("remote: lease not renewed")
		}
		cancel()
	}
}

// watch applies the registry's changes until leave or the connection's
// end, then closes every watch.
func (r *registry) watch(kw jetstream.KeyWatcher) {
	defer r.done.Done()
	defer r.halt(ErrClosed)
	defer func() { node.StopWatch(kw) }() // the last watcher, see rewatch
	poll := time.NewTicker(reachPoll)     // runs while leases are pending
	defer poll.Stop()
	polling := true
	for {
		if p := r.hasPending(); p != polling {
			if polling = p; p {
				poll.Reset(reachPoll)
			} else {
				poll.Stop()
			}
		}
		select {
		case <-r.stop:
			return
		case <-r.n.closed:
			return
		case <-poll.C:
			r.promote()
		case e, ok := <-kw.Updates():
			if !ok {
				return
			}
			if e != nil && r.apply(e) && r.n.cluster != nil && e.Key() != r.id {
				kw = r.rewatch(kw, e.Key())
			}
		}
	}
}

// apply records one registry entry and tells the followers and watchers.
// It reports whether the entry is a member leaving.
func (r *registry) apply(e jetstream.KeyValueEntry) (left bool) {
	id := e.Key()
	ev := MemberEvent{Member: Member{ID: id}}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e.Operation() {
	case jetstream.KeyValuePut:
		var m Member
		if err := json.Unmarshal(e.Value(), &m); err != nil || m.ID != id {
			r.n.sys.Logger().Warn().Str("key", id).Msg("remote: malformed lease ignored")
			return false
		}
		slices.Sort(m.Names)
		if last, ok := r.leaseLocked(id); ok && slices.Equal(last.Names, m.Names) {
			return false // a renewal
		}
		old, had, shown := r.setLocked(m) // names listed once routable: see registry_reach.go
		if had && slices.Equal(old.Names, shown.Names) {
			return false
		}
		ev.Member, ev.Change = shown, MemberJoined
		if had {
			ev.Change = MemberUpdated
		}
	default: // KeyValueDelete (left), KeyValuePurge (expired)
		old, had := r.members[id]
		if !had {
			return false
		}
		delete(r.members, id)
		delete(r.pending, id)
		ev.Member, ev.Change = old, MemberLeft
		ev.Expired = e.Operation() == jetstream.KeyValuePurge
	}
	r.notifyLocked(ev)
	return ev.Change == MemberLeft
}

// notifyLocked tells the followers and watchers of a change.
func (r *registry) notifyLocked(ev MemberEvent) {
	for f := range r.followers {
		f.set(r.exportersLocked(f.name))
	}
	for w := range r.watchers {
		w.offer(r, ev)
	}
}

// exportersLocked returns the ids of the members exporting name, sorted.
func (r *registry) exportersLocked(name string) []string {
	var ids []string
	for id, m := range r.members {
		if m.Exports(name) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// leaveLimit bounds the removal of a closing node's lease: a JetStream
// write takes milliseconds, but one to a JetStream cluster that has lost
// its majority is never answered.
const leaveLimit = time.Second

// leave stops the goroutines and removes the node's lease at once (ctx
// and leaveLimit bound the removal). It is idempotent.
func (r *registry) leave(ctx context.Context) {
	r.leftOnce.Do(func() {
		r.end()
		close(r.stop)
		r.done.Wait()
		// Best effort: with a lost connection, or a JetStream cluster
		// without a majority, the lease expires instead.
		ctx, cancel := context.WithTimeout(ctx, leaveLimit)
		defer cancel()
		_ = r.kv.Delete(ctx, r.id)
	})
}

// halt closes every watch with err and stops further events.
func (r *registry) halt(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.halted = true
	for w := range r.watchers {
		w.end(r, err)
	}
}
