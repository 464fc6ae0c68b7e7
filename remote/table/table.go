package table

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/node"
)

// Table is a sharded key-value table whose keys are spread over the
// remote nodes that opened it under one name (see [Open]): each such node
// holds its share in a local [dht.Table] and serves it to the others over
// NATS, and a client on any of them reaches every key. Keys and values
// cross the network as JSON, so K and V must encode and decode to equal
// values. All methods are safe for concurrent use.
//
// # Placement and membership
//
// The table's layout (its members, with an epoch) lives in a JetStream
// key-value bucket beside the registry and is changed by compare-and-set,
// so every node sees the same sequence of layouts. A key falls into one
// of 1,024 slots by its hash (the KeyFunc's value, as in dht), and a slot
// belongs to the member of highest rendezvous score for it: a node
// joining takes about 1/(n+1) of the slots, a node leaving gives away
// only its own. Open adds its node to the
// layout; [Table.Close] removes it after handing its keys over; a node whose
// registry lease ends (its node closed, or dead for a lease time) is
// removed by the others.
//
// # Guarantees
//
// Operations on one key are linearizable while the layout changes,
// provided no member dies: at any instant at most one node serves a key,
// a node that loses keys stops serving them before it hands them over,
// and a node that gains keys serves them only once their previous
// holder's hand-over arrived. An operation that reached a node that no
// longer (or not yet) serves its key did not happen there and is placed
// again, so an operation costs at most a few extra round trips per
// layout change. [Table.Len] is exact once the layout has settled, as in
// dht.Table.
//
// # Durability
//
// A table is durable unless [Config.Cache] is set. A write ([Table.Put],
// [Table.Delete], a [Table.CompareAndSwap] that swaps) is stored in the
// table's bucket (keys "d.<base64url of the key's JSON>") before it is
// applied in the holder's memory and answered, under the epoch of the
// layout its holder serves; a layout change revokes the epoch before it
// for good, before any member loads the keys it gains. So a member that
// lost its keys (paused past its lease, cut off, taken for gone, or just
// behind on the layout) cannot store a late write: JetStream refuses it,
// and the write is placed again. Each layout change leaves one empty,
// sealed stream in JetStream (named "<bucket>_revoked_<life>_<epoch>"),
// which keeps that epoch revoked; the package's own code never removes
// one (an account whose JetStream limits cap its streams caps the
// table's layout changes as well). A bucket deleted by hand may leave
// them: a bucket made again under the same name writes under a new name
// of its own (a random "life" in its layout record), which they do not
// touch. Members of an earlier version of this package, which
// conditioned writes on fence keys of slots, must not serve a table
// beside these: their writes are not revoked.
// Reads come from the holder's memory, served only while the holder's
// connection is up and its registry lease provably holds (it stops a
// tenth of the lease time early), and after a lapse of its lease only
// once a write conditioned on the layout record showed its layout is
// the newest. A member that gains keys whose holder stopped serving
// them loads them from the bucket: when that holder says so (it left,
// or came back under its id without them), or when its lease has ended
// (it died, or is paused); the keys are unavailable meanwhile, about
// one lease time after a death. The
// bucket has 3 replicas, or as many as the JetStream system has servers
// ([Config.Replicas]): a write that returned nil survives the death of
// any member, and of a minority of the servers of a cluster. A write
// that no JetStream server answers (the bucket's stream electing its
// leader, or its servers down) stored nothing; it is placed again, as
// after a layout change, until it is stored or ctx ends.
//
// A cache keeps keys only in memory: when a member dies its keys are
// lost, and they start empty on their new holders; a member that stops
// renewing its lease but keeps running (a pause longer than the lease
// time) is removed and loses the writes it takes after that.
//
// # Costs
//
// Operations block; call them from plain goroutines, never from a reactor's
// handler. An operation on a key this node holds costs a local dht operation
// and, for [Table.Put] and [Table.CompareAndSwap], the encoding of the value
// (for the payload limit); on another node's key, one NATS request and reply
// through the node's connection. A durable write adds one JetStream publish
// without headers and its acknowledgement (a write on one key waits for
// the one before it), and a durable member serves the writes of other
// nodes on up to 256 goroutines at once. A layout change costs a member
// a few JetStream API requests (a stream update, a stream made and
// sealed), and writes find no stream for about as long as the members
// take to learn of the change; each is placed again after a pause of
// 50 µs, doubling up to 20 ms. Taking keys over from the bucket reads
// every stored entry of the table once per layout change that needs it.
type Table[K comparable, V any] struct {
	n     *remote.Node
	in    node.Internals // n's
	name  string
	self  string
	key   dht.KeyFunc[K]
	eq    func(a, b V) bool
	local *dht.Table[K, V]
	kv    jetstream.KeyValue
	subj  string // prefix of the members' subjects
	subs  []*nats.Subscription

	cache   bool                        // Config.Cache: keys in memory only
	bucket  string                      // kv's name
	margin  time.Duration               // how long before its lease ends a durable member stops serving
	gen     atomic.Uint64               // the lease generation whose layout the member checked (see recheck)
	stripes [1024]sync.Mutex            // a durable write holds its key's stripe from its read to its apply (a JetStream round trip: 1,024, so that writes in flight rarely share one)
	stream  string                      // the bucket's stream
	moved   atomic.Uint64               // the epoch the member last moved the stream to, or saw it moved (revoke.go); 0 if not known
	moveMu  sync.Mutex                  // held to move the stream
	buried  uint64                      // guarded by moveMu: every epoch up to this one has its grave
	count   counters                    // a durable member's figures (Stats)
	pub     atomic.Pointer[publishFunc] // tests only: replaces the JetStream publish of writes (publishMsg)
	serve   chan struct{}               // capacity maxServing: a durable table's requests being served

	ctx     context.Context // ends with the table
	cancel  context.CancelFunc
	stop    chan struct{} // closed by teardown
	stopped sync.Once
	done    sync.WaitGroup
	wake    chan struct{} // capacity 1: wakes the run loop
	closing atomic.Bool

	vmu     sync.Mutex
	latest  record        // guarded by vmu: the newest layout record seen
	latestR uint64        // guarded by vmu: latest's revision in the bucket
	life    string        // guarded by vmu: the bucket's life (record.Life), from the first record seen
	lview   *view         // guarded by vmu: latest's current layout
	changed chan struct{} // guarded by vmu: closed and replaced at every change
	err     error         // guarded by vmu: why the table stopped serving

	mu       sync.RWMutex               // held shared to check and apply an operation, exclusively to change state
	cur      *view                      // guarded by mu: the layout this node serves
	prev     *view                      // guarded by mu: the layout before cur (nil before the first change)
	waiting  map[string]bool            // guarded by mu: holders in prev whose hand-over of cur has not arrived
	nextSeq  map[string]int             // guarded by mu: the next hand-over chunk expected from each holder
	early    map[uint64][]handoff[K, V] // guarded by mu: hand-overs of epochs after cur, in arrival order
	stored   map[string]bool            // guarded by mu: holders whose keys of cur are to be loaded from the bucket ("": no holder)
	shipping bool                       // guarded by mu: the keys cur took away are being handed over
	earlier  bool                       // guarded by mu: cur lists the node from an earlier life, which it has not left yet: serve nothing
}

// Open joins the table name of n's namespace (creating it if no node has
// it open), with n as a member: it opens the node's local part, adds the
// node to the layout and waits until the keys that move to it have
// arrived. n must have a registry ([remote.WithRegistry]).
//
// It blocks until the node serves its share or ctx ends, and returns
// [remote.ErrNoRegistry] without a registry, [remote.ErrInvalidName] for a
// bad name, [remote.ErrDuplicateName] if the node already has the table (or
// an export of that name) open, [dht.ErrNilFunc] for a nil key,
// [remote.ErrClosed] for a closed node, or ctx's error (the node then
// leaves again; it has taken no keys). It costs a JetStream bucket
// lookup, two subscriptions and three goroutines, ended by [Table.Close].
func Open[K comparable, V any](ctx context.Context, n *remote.Node, name string, key dht.KeyFunc[K], cfg Config[V]) (*Table[K, V], error) {
	in := node.Of(n)
	if in.JetStream() == nil {
		return nil, remote.ErrNoRegistry
	}
	if key == nil {
		return nil, dht.ErrNilFunc
	}
	subj, err := subjectPrefix(n.Namespace(), name)
	if err != nil {
		return nil, err
	}
	if cfg.Shards == 0 {
		cfg.Shards = 4
	}
	if err := in.Claim("#dht/" + name); err != nil {
		return nil, err
	}
	t := &Table[K, V]{
		n: n, in: in, name: name, self: n.ID(), key: key, eq: cfg.Equal, subj: subj,
		stop: make(chan struct{}), wake: make(chan struct{}, 1), changed: make(chan struct{}),
		waiting: map[string]bool{}, nextSeq: map[string]int{}, early: map[uint64][]handoff[K, V]{},
		stored: map[string]bool{}, cache: cfg.Cache, bucket: bucketName(n.Namespace(), name),
		serve: make(chan struct{}, maxServing),
		// Requests can arrive once open subscribes, before it has read
		// the layout: until then the node serves nothing.
		cur: newView(layout{}),
	}
	t.stream = "KV_" + t.bucket
	if l := in.Lease(); l.TTL > 0 {
		t.margin = leaseMargin(l.TTL)
		t.gen.Store(l.Gen)
	}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	if t.eq == nil {
		t.eq = jsonEqual[V]
	}
	if err := t.open(ctx, cfg.Shards, cfg.Replicas); err != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		t.teardown(ctx)
		return nil, err
	}
	return t, nil
}

// open starts t's parts in the order its peers need them: the local table
// and the subscriptions before the node can be a member, the layout watch
// before the node's own change.
func (t *Table[K, V]) open(ctx context.Context, shards, replicas int) error {
	local, err := dht.New[K, V](t.n.System(), shards, t.key)
	if err != nil {
		return err
	}
	t.local = local
	for _, s := range []struct {
		suffix string
		handle nats.MsgHandler
	}{{"op", t.onOp}, {"hand", t.onHandoff}} {
		sub, err := t.n.Conn().Subscribe(t.subj+t.self+"."+s.suffix, s.handle)
		if err != nil {
			return t.in.TransportErr(t.name, err)
		}
		t.subs = append(t.subs, sub)
	}
	// Flush: the subscriptions are known to the server before the node
	// can be a member.
	if err := t.n.Conn().Flush(); err != nil {
		return t.in.TransportErr(t.name, err)
	}
	if t.kv, err = openBucket(ctx, t.in.JetStream(), t.bucket, t.name, replicas); err != nil {
		return fmt.Errorf("table: %s: bucket: %w", t.name, err)
	}
	kw, err := t.kv.Watch(t.ctx, layoutKey)
	if err != nil {
		return fmt.Errorf("table: %s: watch: %w", t.name, err)
	}
	// The first update is the current record (or nil if there is none):
	// the node starts from it as a non-member holding nothing.
	select {
	case e := <-kw.Updates():
		var r record
		var rev uint64
		if e != nil {
			if r, err = decodeRecord(e.Value()); err != nil {
				node.StopWatch(kw)
				return err
			}
			rev = e.Revision()
		}
		t.vmu.Lock()
		t.life = r.Life
		t.vmu.Unlock()
		v := newView(r.current())
		v.rev = rev
		v.wpre = t.writePrefix(v.Epoch)
		t.vmu.Lock()
		t.latest, t.latestR, t.lview = r, rev, v
		t.vmu.Unlock()
		t.mu.Lock() // requests may be applied already (as not ready)
		t.cur = v
		t.mu.Unlock()
	case <-ctx.Done():
		node.StopWatch(kw)
		return context.Cause(ctx)
	}
	w, err := t.n.WatchMembers(0)
	if err != nil {
		node.StopWatch(kw)
		return err
	}
	// A layout that still lists this node is from an earlier life of it,
	// whose keys are gone: leave first, then join afresh. Until the node
	// has left, it serves nothing of that layout (the others may still
	// send it operations on the earlier life's keys; its memory is empty).
	stale := t.cur.has(t.self)
	t.mu.Lock()
	t.earlier = stale
	t.mu.Unlock()
	t.done.Add(3)
	go t.watchLayout(kw)
	go t.watchMembers(w)
	go t.run()
	if stale {
		if err := t.propose(ctx, without(t.self)); err != nil {
			return err
		}
	}
	if err := t.propose(ctx, with(t.self)); err != nil {
		return err
	}
	return t.await(ctx, func(cur *view, settled bool) bool { return cur.has(t.self) && settled })
}

// await blocks until ok holds for the layout the node serves and whether
// it has settled (no hand-over pending either way), or ctx ends, or the
// table stops.
func (t *Table[K, V]) await(ctx context.Context, ok func(cur *view, settled bool) bool) error {
	for {
		_, changed, err := t.latestView()
		if err != nil {
			return err
		}
		t.mu.RLock()
		done := ok(t.cur, t.settledLocked())
		t.mu.RUnlock()
		if done {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// Name returns the table's name.
func (t *Table[K, V]) Name() string { return t.name }

// Members returns the ids of the table's members in the newest layout
// this node has seen, sorted.
func (t *Table[K, V]) Members() []string {
	v, _, _ := t.latestView()
	return append([]string(nil), v.Members...)
}

// Owner returns the id of the member that holds k in the newest layout
// this node has seen ("" if the table has no member). It returns an error
// matching [dht.ErrUserPanic] if the key function panics.
func (t *Table[K, V]) Owner(k K) (string, error) {
	h, err := t.hash(k)
	if err != nil {
		return "", err
	}
	v, _, _ := t.latestView()
	return v.owner(h), nil
}

// Get returns the value of k and whether k is present. It blocks until
// the node holding k answered or ctx ends; it returns [ErrClosed] after
// [Table.Close], [remote.ErrClosed] once the node is closed, an error matching
// [dht.ErrUserPanic] if the key function panics (here or on the holder), a
// [*remote.PayloadError] if the request is over the payload limit, or
// ctx's error. When ctx ends after the request was sent, the operation may or
// may not have happened.
func (t *Table[K, V]) Get(ctx context.Context, k K) (V, bool, error) {
	r, err := t.do(ctx, request[K, V]{Op: opGet, Key: k})
	return r.Val, r.Found, err
}

// Put sets k to v and returns the previous value and whether there was
// one. It blocks and fails like [Table.Get]; a value whose encoding is over the
// node's payload limit is refused with a [*remote.PayloadError] (it could
// not be handed over when its key moves).
func (t *Table[K, V]) Put(ctx context.Context, k K, v V) (prev V, had bool, err error) {
	r, err := t.do(ctx, request[K, V]{Op: opPut, Key: k, Val: v})
	return r.Val, r.Found, err
}

// Delete removes k and returns its value and whether it was present. It
// blocks and fails like [Table.Get].
func (t *Table[K, V]) Delete(ctx context.Context, k K) (prev V, had bool, err error) {
	r, err := t.do(ctx, request[K, V]{Op: opDelete, Key: k})
	return r.Val, r.Found, err
}

// CompareAndSwap sets k to new if k is present and its value equals old by
// the table's [Config.Equal] (run on the node holding k), and reports whether
// it did. It blocks and fails like [Table.Put]; if Equal panics, it returns
// an error matching [dht.ErrUserPanic] and the table is unchanged.
func (t *Table[K, V]) CompareAndSwap(ctx context.Context, k K, old, new V) (bool, error) {
	r, err := t.do(ctx, request[K, V]{Op: opCAS, Key: k, Val: new, Old: old})
	return r.Found, err
}

// Len returns the number of keys of the whole table: the sum of every
// member's count, taken when all of them serve the newest layout and
// none has a hand-over pending (it waits for that, and counts again if
// the layout changed while it counted). Each count is taken at its own
// moment: under concurrent writes Len is not a snapshot. It blocks and
// fails like [Table.Get], with one request per member.
func (t *Table[K, V]) Len(ctx context.Context) (int, error) {
	pause := firstPause
	for {
		v, changed, err := t.latestView()
		if err != nil {
			return 0, err
		}
		total, again := 0, len(v.Members) == 0
		for _, m := range v.Members {
			q := request[K, V]{Op: opLen, Epoch: v.Epoch}
			r, err := t.send(ctx, m, &q, 0)
			if err != nil {
				return 0, err
			}
			if r.Code != codeOK || r.Epoch != v.Epoch || !r.Found {
				again = true
				break
			}
			total += r.N
		}
		if !again {
			return total, nil
		}
		if err := t.pause(ctx, changed, &pause); err != nil {
			return 0, err
		}
	}
}

// Close removes the node from the table's layout, hands its keys over to
// the members that take them, and stops the node's part of the table. It
// blocks until the hand-over is acknowledged or ctx ends; if ctx ends
// first (or the node is the last member, or the node's connection is
// gone), the keys the node held are lost, and Close returns ctx's error
// in the first case. Calling Close again returns [ErrClosed].
func (t *Table[K, V]) Close(ctx context.Context) error {
	if t.closing.Swap(true) {
		return ErrClosed
	}
	err := t.leave(ctx)
	t.teardown(ctx)
	return err
}

// leave removes the node from the layout and waits until it has handed
// its keys over.
func (t *Table[K, V]) leave(ctx context.Context) error {
	if _, _, err := t.latestView(); err != nil {
		return nil // the node is gone: there is nothing to hand over
	}
	if err := t.propose(ctx, without(t.self)); err != nil {
		return err
	}
	return t.await(ctx, func(cur *view, settled bool) bool { return !cur.has(t.self) && settled })
}

// teardown stops the goroutines and subscriptions of t and closes its
// local table.
func (t *Table[K, V]) teardown(ctx context.Context) {
	t.closing.Store(true)
	t.fail(ErrClosed)
	// Drain, not unsubscribe: a request the node has received is still
	// answered (as moved), so its asker does not wait for its context.
	for _, s := range t.subs {
		closed := s.StatusChanged(nats.SubscriptionClosed)
		if s.Drain() != nil {
			continue
		}
		select {
		case <-closed:
		case <-ctx.Done():
			_ = s.Unsubscribe()
		case <-t.in.Closed():
		}
	}
	t.stopped.Do(func() { close(t.stop) })
	t.cancel()
	t.done.Wait()
	if t.local != nil {
		_ = t.local.Close(ctx)
	}
	t.in.Release("#dht/" + t.name)
}

// latestView returns the newest layout seen, the channel closed at the
// next change, and the error that stopped the table, if any.
func (t *Table[K, V]) latestView() (*view, <-chan struct{}, error) {
	t.vmu.Lock()
	defer t.vmu.Unlock()
	return t.lview, t.changed, t.err
}

// publish records r, of revision rev, as the newest record, if it is
// newer.
func (t *Table[K, V]) publish(r record, rev uint64) {
	t.vmu.Lock()
	if t.life == "" {
		t.life = r.Life
	} else if r.Life != t.life && t.err == nil {
		t.err = fmt.Errorf("%w: table %s: its bucket was made again", remote.ErrClosed, t.name)
	}
	if r.current().Epoch > t.latest.current().Epoch {
		t.latest, t.latestR, t.lview = r, rev, newView(r.current())
		t.lview.rev = rev
	}
	t.vmu.Unlock()
	t.notify()
}

// kick wakes the run loop.
func (t *Table[K, V]) kick() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// notify wakes everything waiting for a change of the table's state.
func (t *Table[K, V]) notify() {
	t.vmu.Lock()
	close(t.changed)
	t.changed = make(chan struct{})
	t.vmu.Unlock()
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// fail stops the table's operations with err (the first error wins).
func (t *Table[K, V]) fail(err error) {
	t.vmu.Lock()
	if t.err == nil {
		t.err = err
	}
	t.vmu.Unlock()
	t.notify()
}

// Pauses between attempts of an operation that found its key's holder
// not ready: doubling from firstPause up to maxPause, or until the layout
// changes.
const (
	firstPause = 50 * time.Microsecond
	maxPause   = 20 * time.Millisecond
)

// pause waits for the next attempt.
func (t *Table[K, V]) pause(ctx context.Context, changed <-chan struct{}, d *time.Duration) error {
	tm := time.NewTimer(*d)
	defer tm.Stop()
	*d = min(2**d, maxPause)
	select {
	case <-changed:
	case <-tm.C:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	return nil
}

// hash returns the hash of k, or an error matching [dht.ErrUserPanic].
func (t *Table[K, V]) hash(k K) (h uint64, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: key function: %v", dht.ErrUserPanic, p)
		}
	}()
	return t.key(k), nil
}

// jsonEqual is the default equality: equal JSON encodings.
func jsonEqual[V any](a, b V) bool {
	ea, err1 := json.Marshal(a)
	eb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ea) == string(eb)
}

var _ dht.Store[string, int] = (*Table[string, int])(nil)
