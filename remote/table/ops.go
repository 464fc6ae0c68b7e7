package table

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
)

// Operations of a table request.
const (
	opGet uint8 = iota + 1
	opPut
	opDelete
	opCAS
	opLen
	opPing
)

// Codes of a table reply.
const (
	codeOK       uint8 = iota // applied
	codeMoved                 // the node does not hold the key in its layout (Epoch)
	codeNotReady              // the node holds the key but has not got it yet, or is behind
	codeErr                   // the operation failed (Err, Panic)
)

// request is an operation on a table member, placed with the layout of
// Epoch.
type request[K comparable, V any] struct {
	Op    uint8
	Epoch uint64
	Key   K
	Val   V // Put's and CompareAndSwap's
	Old   V // CompareAndSwap's

	enc *encoded // a write as the bucket stores it, made by the caller's node; nil: not yet
}

// reply is a member's answer. Found is the previous value's presence
// ([Table.Get], [Table.Put], [Table.Delete]), the swap
// ([Table.CompareAndSwap]) or, for [Table.Len], that the member had settled.
type reply[V any] struct {
	Code  uint8
	Epoch uint64
	Val   V
	Found bool
	N     int
	Err   string
	Panic bool
}

// do places q with the newest layout and applies it on the member that
// holds its key, placing it again while the answer is that the member
// does not serve the key (yet).
func (t *Table[K, V]) do(ctx context.Context, q request[K, V]) (reply[V], error) {
	if reactor.Inside() {
		return reply[V]{}, fmt.Errorf("table: %s: %w", t.name, reactor.ErrInsideReactor)
	}
	h, err := t.hash(q.Key)
	if err != nil {
		return reply[V]{}, err
	}
	pause := firstPause
	for {
		v, changed, err := t.latestView()
		if err != nil {
			return reply[V]{}, err
		}
		if owner := v.owner(h); owner != "" {
			q.Epoch = v.Epoch
			r, err := t.send(ctx, owner, &q, h)
			switch {
			case err != nil:
				return r, err
			case r.Code == codeOK:
				return r, nil
			case r.Code == codeErr:
				if r.Panic {
					return r, fmt.Errorf("%w: %s", dht.ErrUserPanic, r.Err)
				}
				return r, fmt.Errorf("table: %s: %s", t.name, r.Err)
			}
		}
		if err := t.pause(ctx, changed, &pause); err != nil {
			return reply[V]{}, err
		}
	}
}

// writes reports whether q stores a value, which must then fit a
// hand-over chunk (at least one entry) when its key moves.
func (q *request[K, V]) writes() bool { return q.Op == opPut || q.Op == opCAS }

// sizeErr refuses a write whose encoding (the entry alone, or a request
// holding it) of n bytes would not fit a hand-over chunk.
func (t *Table[K, V]) sizeErr(n int) error {
	if n+handoffOverhead > t.n.MaxPayload() {
		return &remote.PayloadError{Name: t.name, Size: n + handoffOverhead, Limit: t.n.MaxPayload()}
	}
	return nil
}

// send applies q on member m: locally if m is this node, else by one NATS
// request. A write is refused with a [*remote.PayloadError], before anything is
// applied, if its entry could not be handed over (the size of the
// entry's JSON; the write is encoded once, for this check, the request
// and the store), as is a request over the payload limit. A member that cannot be reached (it
// has gone: no responders) answers codeNotReady, so the caller waits for
// the layout to change.
func (t *Table[K, V]) send(ctx context.Context, m string, q *request[K, V], h uint64) (reply[V], error) {
	if q.writes() {
		e, err := encode(q.Key, q.Val, false)
		if err != nil {
			return reply[V]{}, fmt.Errorf("%w: table %s: %w", remote.ErrEncode, t.name, err)
		}
		if err := t.sizeErr(e.entrySize()); err != nil {
			return reply[V]{}, err
		}
		q.enc = &e
	}
	if m == t.self {
		r := t.apply(ctx, q, h)
		if r.Code == codeErr && ctx.Err() != nil {
			return r, context.Cause(ctx)
		}
		return r, nil
	}
	data, err := encodeRequest(q)
	if err != nil {
		return reply[V]{}, fmt.Errorf("%w: table %s: %w", remote.ErrEncode, t.name, err)
	}
	if len(data) > t.n.MaxPayload() {
		return reply[V]{}, &remote.PayloadError{Name: t.name, Size: len(data), Limit: t.n.MaxPayload()}
	}
	msg, err := t.n.Conn().RequestWithContext(ctx, t.subj+m+".op", data)
	if err != nil {
		if ctx.Err() != nil {
			return reply[V]{}, context.Cause(ctx)
		}
		if errors.Is(err, nats.ErrNoResponders) {
			return reply[V]{Code: codeNotReady}, nil
		}
		return reply[V]{}, t.in.TransportErr(t.name, err)
	}
	var r reply[V]
	if err := decodeReply(msg.Data, &r); err != nil {
		return r, fmt.Errorf("%w: table %s reply: %w", remote.ErrDecode, t.name, err)
	}
	return r, nil
}

// onOp serves a request of another node: a cache table's, and a durable
// table's reads, on the subscription's goroutine, one at a time; a
// durable table's writes, which wait for JetStream, each on a goroutine
// of its own, at most maxServing at once (the subscription's goroutine
// waits for room).
func (t *Table[K, V]) onOp(m *nats.Msg) {
	var q request[K, V]
	if err := decodeRequest(m.Data, &q); err != nil {
		t.respond(m, reply[V]{Code: codeErr, Err: fmt.Sprintf("undecodable request: %v", err)})
		return
	}
	if t.cache || q.Op == opGet || q.Op == opLen || q.Op == opPing {
		t.serveOp(m, &q)
		return
	}
	select {
	case t.serve <- struct{}{}:
	case <-t.stop:
		return
	}
	t.done.Add(1)
	go func() {
		defer t.done.Done()
		defer func() { <-t.serve }()
		t.serveOp(m, &q)
	}()
}

// maxServing bounds the requests a durable table serves at once.
const maxServing = 256

// serveOp serves the request q that arrived in m.
func (t *Table[K, V]) serveOp(m *nats.Msg, q *request[K, V]) {
	if h, err := t.hash(q.Key); err != nil {
		t.respond(m, reply[V]{Code: codeErr, Err: err.Error(), Panic: true})
	} else {
		t.respond(m, t.apply(t.ctx, q, h))
	}
}

// respond answers m with r.
func (t *Table[K, V]) respond(m *nats.Msg, r reply[V]) {
	data, err := encodeReply(&r)
	if err != nil {
		data, _ = encodeReply(&reply[V]{Code: codeErr, Err: fmt.Sprintf("unencodable reply: %v", err)})
	}
	_ = m.Respond(data)
}

// apply checks that this node serves q's key (hash h) in its layout and
// applies q to the local table, under t.mu held shared, so that no layout
// change overtakes it.
func (t *Table[K, V]) apply(ctx context.Context, q *request[K, V], h uint64) reply[V] {
	t.mu.RLock()
	defer t.mu.RUnlock()
	cur := t.cur
	switch q.Op {
	case opPing:
		return reply[V]{Epoch: cur.Epoch}
	case opLen:
		n, err := t.local.Len(ctx)
		if err != nil {
			return reply[V]{Code: codeErr, Err: err.Error()}
		}
		return reply[V]{Epoch: cur.Epoch, N: n, Found: cur.has(t.self) && t.settledLocked()}
	}
	switch {
	case q.Epoch > cur.Epoch || t.earlier || !t.serving():
		return reply[V]{Code: codeNotReady, Epoch: cur.Epoch}
	case cur.owner(h) != t.self:
		return reply[V]{Code: codeMoved, Epoch: cur.Epoch}
	case t.prev != nil:
		if src := t.prev.owner(h); src != t.self && t.waiting[src] {
			return reply[V]{Code: codeNotReady, Epoch: cur.Epoch}
		}
	}
	if !t.cache && q.Op != opGet {
		if cur.rev == 0 {
			return reply[V]{Code: codeNotReady, Epoch: cur.Epoch} // behind the newest layout
		}
		return t.applyDurable(ctx, q, h)
	}
	r := reply[V]{Epoch: cur.Epoch}
	var err error
	switch q.Op {
	case opGet:
		r.Val, r.Found, err = t.local.Get(ctx, q.Key)
	case opPut:
		r.Val, r.Found, err = t.local.Put(ctx, q.Key, q.Val)
	case opDelete:
		r.Val, r.Found, err = t.local.Delete(ctx, q.Key)
	case opCAS:
		r.Found, err = t.local.CompareAndSwap(ctx, q.Key, q.Old, q.Val, t.eq)
	default:
		err = fmt.Errorf("unknown operation %d", q.Op)
	}
	if err != nil {
		return reply[V]{Code: codeErr, Err: err.Error(), Panic: errors.Is(err, dht.ErrUserPanic)}
	}
	return r
}
