package table

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/jsonfast"
	"github.com/reactors-go/reactors/remote/internal/node"
)

// This file is what a durable table (the default; see Config.Cache) adds:
// every write is stored in the table's JetStream bucket before it is
// applied in memory, under the writer's layout epoch, which a layout
// change revokes (revoke.go), and a member that gains keys whose holder
// stopped serving them loads them from the bucket once every earlier
// epoch is revoked, so it sees every write stored before.
//
// One more check uses a condition of JetStream's (server 2.11 and
// later), the header pair Nats-Expected-Last-Subject-Sequence with
// Nats-Expected-Last-Subject-Sequence-Subject: a member that comes back
// from a lapse of its lease proves its layout current by a write
// conditioned on the layout record (barrier).
//
// Reads are served from memory, and only while the member can prove its
// registry lease (see serving): the others take its keys only once that
// lease has ended.

// dataPrefix starts the bucket key of each stored entry: "d." and the
// key's JSON encoding in unpadded base64url, so that any key makes a
// valid bucket key.
const dataPrefix = "d."

// fencePrefix starts the bucket key a member writes to check that its
// layout is current (see barrier) and to order its loads (see mark).
const fencePrefix = "f."

// Headers of a barrier (see the file's comment) and of a deletion
// in a key-value bucket.
const (
	hdrExpectSeq  = jetstream.ExpectedLastSubjSeqHeader
	hdrExpectSubj = jetstream.ExpectedLastSubjSeqSubjHeader
	hdrKVOp       = "KV-Operation"
)

// leaseMargin is how long before its registry lease ends (by the local
// clock) a member stops serving: room for the clocks of two machines to
// run at slightly different rates over a lease time.
func leaseMargin(ttl time.Duration) time.Duration { return ttl / 10 }

// dataKey returns the bucket key of k.
func dataKey[K any](k K) (string, error) {
	e, err := encode(k, struct{}{}, true)
	return e.bucketKey(), err
}

// encoded is a write's key and value as JSON, made once by the node
// that takes the write from its caller: for the payload check, the
// request to the key's holder, and the store.
type encoded struct {
	key []byte // the key's JSON
	val []byte // the value's JSON; nil for a deletion
}

// bucketKey returns the bucket key of e's key.
func (e encoded) bucketKey() string {
	return dataPrefix + base64.RawURLEncoding.EncodeToString(e.key)
}

// writeBase64 writes e's key in unpadded base64url to b.
func (e encoded) writeBase64(b *strings.Builder) {
	var buf [96]byte // a key's JSON of up to 72 bytes costs no allocation
	b.Write(base64.RawURLEncoding.AppendEncode(buf[:0], e.key))
}

// entryFraming is what dht.KV's JSON adds to its key's and value's.
const entryFraming = len(`{"Key":,"Value":}`)

// entrySize returns the length of the JSON of the entry (dht.KV) that a
// hand-over chunk would carry for e.
func (e encoded) entrySize() int { return len(e.key) + len(e.val) + entryFraming }

// encode returns the write of v under k, or k's deletion if del.
func encode[K, V any](k K, v V, del bool) (e encoded, err error) {
	if e.key, err = jsonfast.Marshal(k); err != nil || del {
		return e, err
	}
	e.val, err = jsonfast.Marshal(v)
	return e, err
}

// keyOf decodes the key of the bucket key s, which must start with
// dataPrefix.
func keyOf[K any](s string) (K, error) {
	var k K
	data, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s, dataPrefix))
	if err != nil {
		return k, err
	}
	return k, jsonfast.Unmarshal(data, &k)
}

// subject returns the subject of bucket key key, as the stream stores it.
func (t *Table[K, V]) subject(key string) string { return "$KV." + t.bucket + "." + key }

// store stores the write e (or its key's deletion, if del) in the
// bucket under the epoch of the member's layout cur (see revoke.go). It
// reports again when nothing was stored and the write is to be placed
// anew: cur's epoch is revoked (the layout changed) or not yet taken by
// the stream, or no JetStream server answered (the bucket's stream
// electing its leader, or its servers down). Any error leaves it unknown
// whether the write was stored.
func (t *Table[K, V]) store(ctx context.Context, e encoded, del bool, cur *view) (again bool, err error) {
	m := &nats.Msg{Subject: t.writeSubject(cur, e), Data: e.val}
	if del {
		m.Header = nats.Header{hdrKVOp: []string{"DEL"}}
	}
	ack, err := t.publishMsg(ctx, m)
	switch {
	case err == nil && ack.Stream == t.stream:
		t.count.stored.Add(1)
		return false, nil
	case err == nil, sealed(err): // a grave took it: cur's epoch is revoked
		t.count.refused.Add(1)
		return true, nil
	case unanswered(err):
		// No stream takes cur's epoch (it is revoked, or not taken yet),
		// or the stream elects its leader: the run loop checks the move.
		t.count.unanswered.Add(1)
		t.moved.CompareAndSwap(cur.Epoch, 0)
		t.kick()
		return true, nil
	case ctx.Err() != nil:
		return false, context.Cause(ctx)
	}
	return false, fmt.Errorf("table: %s: store: %w", t.name, t.in.TransportErr(t.name, err))
}

// barrier checks, by a write of the member's own fence key conditioned
// on the layout record, that the layout revision rev is still the
// table's latest: it reports false if the layout changed. It returns the
// write's sequence.
func (t *Table[K, V]) barrier(ctx context.Context, rev uint64) (bool, uint64, error) {
	m := nats.NewMsg(t.in.APIPrefix() + t.subject(fencePrefix+t.self))
	m.Data = []byte(strconv.FormatUint(rev, 10))
	refused, seq, err := t.publishFenced(ctx, m, layoutKey, rev)
	return err == nil && !refused, seq, err
}

// serving reports whether a durable member may serve keys now: its
// connection is up, its registry lease holds (with a margin), and the
// lease has not lapsed since the member last checked its layout (see
// recheck). A cache table always serves.
func (t *Table[K, V]) serving() bool {
	if t.cache {
		return true
	}
	l := t.in.Lease()
	if !t.n.Conn().IsConnected() || !l.Holds(time.Now(), t.margin) {
		return false
	}
	if l.Gen != t.gen.Load() {
		t.kick() // the run loop checks the layout and takes the new generation
		return false
	}
	return true
}

// recheck runs in the run loop: after the member's lease lapsed, it
// takes the new lease generation once a barrier showed that the layout
// the member serves is still the latest (otherwise the member waits to
// catch up, and is taken out and joins again if the others removed it).
func (t *Table[K, V]) recheck() {
	if t.cache {
		return
	}
	l := t.in.Lease()
	if l.Gen == t.gen.Load() {
		return
	}
	t.mu.RLock()
	rev := t.cur.rev
	t.mu.RUnlock()
	if rev == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(t.ctx, handoffTimeout)
	defer cancel()
	if ok, _, _ := t.barrier(ctx, rev); ok {
		t.gen.Store(l.Gen)
		t.notify()
	}
}

// loadEntries makes the local table hold exactly the stored entries
// whose key hash satisfies want: it reads them, removes from memory the
// keys want takes that the bucket does not hold (deleted meanwhile), and
// puts the rest. It returns how many it loaded.
//
// The read is proven current: a write of the member's fence key (mark)
// goes first, and the read (a watch of the whole bucket) must include
// it, so it includes every write stored before it; a read served by a
// JetStream server that had not applied that far yet is thrown away and
// made again. It costs a watch of every stored key of the table: one
// message per key.
func (t *Table[K, V]) loadEntries(ctx context.Context, want func(h uint64) bool) (int, error) {
	seq, err := t.mark(ctx)
	if err != nil {
		return 0, err
	}
	for {
		entries, seen, err := t.readStored(ctx, want)
		if err != nil {
			return 0, err
		}
		if seen >= seq {
			return t.install(ctx, want, entries)
		}
		select { // a lagging server: read again
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			return 0, context.Cause(ctx)
		}
	}
}

// readStored reads the stored entries whose key hash satisfies want, and
// the revision of the member's fence key as the same read saw it.
//
// It watches the whole bucket and skips the few keys that are not data
// (the layout and the fence keys) itself: a consumer filtered on two
// subjects costs the server a scan per message over a stream full of
// overwritten entries (10,000 keys written five times over: 3 s to
// read, against 50 ms unfiltered).
func (t *Table[K, V]) readStored(ctx context.Context, want func(h uint64) bool) ([]dht.KV[K, V], uint64, error) {
	// The watch's consumer is made by a request that a stream leader
	// replaced meanwhile never answers: give it apiTimeout, not the
	// whole load's time.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	made := time.AfterFunc(apiTimeout, cancel)
	w, err := t.kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	made.Stop()
	if err != nil {
		return nil, 0, fmt.Errorf("table: %s: load: %w", t.name, err)
	}
	// The watch goes on delivering the writes made after the read; its
	// delivery goroutine blocks once its channel (256 entries) is full,
	// and a plain Stop does not release it: StopWatch drains the channel
	// until the watch has ended.
	defer node.StopWatch(w)
	fence := fencePrefix + t.self
	var entries []dht.KV[K, V]
	var seen uint64
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				return nil, 0, fmt.Errorf("%w: table %s: load ended", remote.ErrClosed, t.name)
			}
			if e == nil { // the stored entries are all read
				return entries, seen, nil
			}
			if e.Key() == fence {
				seen = e.Revision()
				continue
			}
			if !strings.HasPrefix(e.Key(), dataPrefix) {
				continue
			}
			k, err := keyOf[K](e.Key())
			if err != nil {
				t.in.ReportError(fmt.Errorf("%w: table %s: stored key %q: %w", remote.ErrDecode, t.name, e.Key(), err))
				continue
			}
			h, err := t.hash(k)
			if err != nil || !want(h) {
				continue
			}
			var v V
			if err := jsonfast.Unmarshal(e.Value(), &v); err != nil {
				t.in.ReportError(fmt.Errorf("%w: table %s: stored value of %q: %w", remote.ErrDecode, t.name, e.Key(), err))
				continue
			}
			entries = append(entries, dht.KV[K, V]{Key: k, Value: v})
		case <-ctx.Done():
			return nil, 0, context.Cause(ctx)
		}
	}
}

// install makes the keys want takes in the local table exactly entries.
func (t *Table[K, V]) install(ctx context.Context, want func(h uint64) bool, entries []dht.KV[K, V]) (int, error) {
	keep := make(map[K]struct{}, len(entries))
	for _, e := range entries {
		keep[e.Key] = struct{}{}
	}
	var stale []K
	err := t.local.Range(ctx, func(k K, _ V) bool {
		if _, ok := keep[k]; !ok {
			if h, err := t.hash(k); err == nil && want(h) {
				stale = append(stale, k)
			}
		}
		return true
	})
	if err != nil {
		return 0, err
	}
	for _, k := range stale {
		if _, _, err := t.local.Delete(ctx, k); err != nil {
			return 0, err
		}
	}
	for b := range slices.Chunk(entries, loadBatch) {
		if _, err := t.local.MultiPut(ctx, b); err != nil {
			return 0, err
		}
	}
	return len(entries), nil
}

// mark writes the member's fence key, with no condition, and returns the
// write's sequence in the stream: a read that includes it includes every
// write stored before it.
func (t *Table[K, V]) mark(ctx context.Context) (uint64, error) {
	ack, err := within(ctx, func(ctx context.Context) (*jetstream.PubAck, error) {
		return publish(ctx, t.n.Conn(), &nats.Msg{Subject: t.in.APIPrefix() + t.subject(fencePrefix+t.self)})
	})
	if err != nil {
		return 0, fmt.Errorf("table: %s: load: %w", t.name, t.in.TransportErr(t.name, err))
	}
	return ack.Sequence, nil
}

// loadBatch is how many loaded entries go into the local table at once.
const loadBatch = 1024

// registered reports whether member m holds a registry lease. On an
// error it reports true: the caller waits rather than take keys that
// may still be served.
func (t *Table[K, V]) registered(m string) bool {
	ms, err := t.n.Members()
	if err != nil {
		return true
	}
	for _, x := range ms {
		if x.ID == m {
			return true
		}
	}
	return false
}

// applyDurable applies the data operation q (a write) of a key of hash h
// on a durable member: under the key's stripe lock, it reads the key
// (a put reads it as it applies), stores the write under the epoch of
// the member's layout, and applies it in memory once stored. t.mu is held shared.
func (t *Table[K, V]) applyDurable(ctx context.Context, q *request[K, V], h uint64) reply[V] {
	mu := &t.stripes[h%uint64(len(t.stripes))]
	mu.Lock()
	defer mu.Unlock()
	r := reply[V]{Epoch: t.cur.Epoch}
	var cur V
	var had bool
	var err error
	if q.Op != opPut { // a put learns the value it replaced from its apply
		if cur, had, err = t.local.Get(ctx, q.Key); err != nil {
			return errReply[V](err)
		}
	}
	var del bool
	switch q.Op {
	case opDelete:
		r.Val, r.Found = cur, had
		if !had {
			return r // nothing to store
		}
		del = true
	case opCAS:
		same, err := t.equal(cur, q.Old)
		if err != nil {
			return errReply[V](err)
		}
		if !had || !same {
			return r // not swapped: Found false
		}
		r.Found = true
	}
	e := q.enc
	if e == nil { // a write of another node's caller
		enc, err := encode(q.Key, q.Val, del)
		if err != nil {
			return errReply[V](fmt.Errorf("%w: table %s: %w", remote.ErrEncode, t.name, err))
		}
		e = &enc
	}
	again, err := t.store(ctx, *e, del, t.cur)
	switch {
	case again:
		return reply[V]{Code: codeNotReady, Epoch: t.cur.Epoch}
	case err != nil:
		return errReply[V](err)
	}
	switch {
	case del:
		_, _, err = t.local.Delete(ctx, q.Key)
	case q.Op == opPut: // the key's lock keeps other writes of it out
		r.Val, r.Found, err = t.local.Put(ctx, q.Key, q.Val)
	default:
		_, _, err = t.local.Put(ctx, q.Key, q.Val)
	}
	if err != nil {
		// Stored but not in memory: the local table is closing, and the
		// entry is loaded by the key's next holder.
		return errReply[V](err)
	}
	return r
}

// equal runs the table's equality, turning a panic into an error
// matching dht.ErrUserPanic.
func (t *Table[K, V]) equal(a, b V) (same bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: equal: %v", dht.ErrUserPanic, p)
		}
	}()
	return t.eq(a, b), nil
}

// errReply is the reply of an operation that failed with err.
func errReply[V any](err error) reply[V] {
	return reply[V]{Code: codeErr, Err: err.Error(), Panic: errors.Is(err, dht.ErrUserPanic)}
}
