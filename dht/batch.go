package dht

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/protocol"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/server"
)

// The batch operations: see "Batches" in the package documentation for
// their semantics. The caller groups the items by shard (plan), applies
// the parts of idle shards itself, one guest step each (call.direct),
// sends one opBatch to every other shard involved (run, runIn), and each
// shard applies its part in one turn (applyBatch, shard.go).
//
// Cost: per blocking call on idle shards, one allocation (the results;
// the other buffers are pooled) and two atomic operations per shard
// involved; per shard that is busy, one message and reply, against one
// each per item for single operations; no goroutine.

// KV is a key and its value: an item of [Table.MultiPut].
type KV[K comparable, V any] struct {
	Key   K
	Value V
}

// MultiGet returns the value of every key of keys and whether it is
// present, in the order of keys, as [Table.Get] would for each (see "Batches"
// in the package documentation). The part of every idle shard holding
// some of keys is applied on the caller's goroutine, as a step of that
// shard's reactor ([reactor.Channel.RunIfIdleAs]), with no message; every
// other shard involved gets one message, all before waiting, and
// MultiGet blocks until their replies or the end of ctx, like Get (if
// the last shard sent to is idle by then, its turn runs on the caller's
// goroutine while the others run on the pool). An empty batch sends
// nothing and returns an empty slice.
//
// It fails with [ErrUserPanic] if the key function panics, [ErrClosed]
// after [Table.Close], ctx's error ([context.Cause]) if ctx ended before anything
// was sent or before any shard's reply was taken, and a [*BatchError]
// holding the results of the shards that answered when some did and
// others did not. Each shard's turn synchronizes before MultiGet returns
// its results. It must not be called from a reactor's handler (use
// [Table.MultiGetIn]).
func (t *Table[K, V]) MultiGet(ctx context.Context, keys []K) ([]Result[V], error) {
	if err := outside("multi-get"); err != nil {
		return nil, err
	}
	m, err := t.multi(keys, nil)
	if err != nil {
		return nil, err
	}
	return m.run(ctx)
}

// MultiPut sets every key of kvs to its value and returns, in the order
// of kvs, each item's previous value and whether there was one, as [Table.Put]
// would; a key given twice takes its last value. It sends, blocks and
// fails like [Table.MultiGet]; on an error that is not a [*BatchError] the table
// is unchanged, and on a *BatchError exactly the items it reports as
// applied took effect.
func (t *Table[K, V]) MultiPut(ctx context.Context, kvs []KV[K, V]) ([]Result[V], error) {
	if err := outside("multi-put"); err != nil {
		return nil, err
	}
	m, err := t.multi(nil, kvs)
	if err != nil {
		return nil, err
	}
	return m.run(ctx)
}

// MultiGetIn is [Table.MultiGet] for reactor handlers, with the rules of the In
// forms (in.go): it asks every shard involved at once (one
// [server.AskIn] each) and completes the IVar with the results when all
// have answered, or fails it with MultiGet's errors once all have
// answered or failed. Cost: that of one AskIn per shard involved.
func (t *Table[K, V]) MultiGetIn(o reactor.Owner, keys []K) *events.IVar[[]Result[V]] {
	m, err := t.multi(keys, nil)
	if err != nil {
		return failed[[]Result[V]](err)
	}
	return m.runIn(o)
}

// MultiPutIn is [Table.MultiPut] for reactor handlers, as [Table.MultiGetIn]
// is for [Table.MultiGet]. If o terminates before a shard's reply, that
// shard's part is undone.
func (t *Table[K, V]) MultiPutIn(o reactor.Owner, kvs []KV[K, V]) *events.IVar[[]Result[V]] {
	m, err := t.multi(nil, kvs)
	if err != nil {
		return failed[[]Result[V]](err)
	}
	return m.runIn(o)
}

// multi is one batch: its items, and their outcomes as the shards report
// them. It is sent in rounds, one per layout its items are placed with:
// one round, unless a [Table.Resize] moved some items' keys while they were on
// their way, in which case the parts that their shards refused with
// errMoved are placed again. Its items are copies of the caller's, so
// that a shard that still reads them after the call gave up reads
// nothing the caller changes. Caller only, but for the items, which
// shards read.
type multi[K comparable, V any] struct {
	t       *Table[K, V]
	keys    []K
	hs      []uint64
	vals    []V // MultiPut's values; nil for MultiGet
	res     []Result[V]
	applied []bool  // which items took effect
	errs    []error // why parts failed, each once

	// A blocking batch whose every part ended with its shard done with
	// it (applied here, or answered) is clean: no shard can touch it
	// any more, and once it succeeded it goes back to the table's pool
	// with its buffers. Any other batch is left to the collector.
	clean bool
	vbuf  []V // the buffer of vals
	idx   []int32
	first call[K, V] // the first round
	// plan's buffers, for the first round only
	where, next, order []int32
	gres               []Result[V]
}

// multi copies the items of a batch (keys for [Table.MultiGet], or kvs for
// [Table.MultiPut]) and hashes them. It runs the key function once per item and
// fails with [ErrUserPanic], before anything is sent, if it panics.
func (t *Table[K, V]) multi(keys []K, kvs []KV[K, V]) (*multi[K, V], error) {
	n := len(keys)
	if kvs != nil {
		n = len(kvs)
	}
	m, _ := t.batches.Get().(*multi[K, V])
	if m == nil {
		m = &multi[K, V]{t: t}
	}
	m.keys, m.hs, m.applied = fit(m.keys, n), fit(m.hs, n), fit(m.applied, n)
	clear(m.applied)
	m.res = make([]Result[V], n) // the caller's
	m.vals = nil
	if kvs == nil {
		copy(m.keys, keys)
	} else {
		m.vbuf = fit(m.vbuf, n)
		m.vals = m.vbuf
		for i, kv := range kvs {
			m.keys[i], m.vals[i] = kv.Key, kv.Value
		}
	}
	m.clean = true
	if err := t.hashAll(m.keys, m.hs); err != nil {
		return nil, err
	}
	return m, nil
}

// hashAll sets hs[i] to the placement hash of keys[i], catching a panic
// of the key function as hash does, with one recover for all keys.
func (t *Table[K, V]) hashAll(keys []K, hs []uint64) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = userPanic("key function", p)
		}
	}()
	for i, k := range keys {
		hs[i] = t.key(k)
	}
	return nil
}

// fit returns s with length n, reusing its array if it is large enough.
// The elements are not cleared.
func fit[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// release gives a settled, successful, clean batch back to the table's
// pool. It keeps nothing of the caller's: the items are cleared, the
// results are the caller's.
func (m *multi[K, V]) release() {
	if !m.clean {
		return
	}
	clear(m.keys)
	clear(m.vbuf)
	m.res, m.vals = nil, nil
	m.first = call[K, V]{parts: m.first.parts[:0]}
	m.t.batches.Put(m)
}

// all returns the indexes of every item.
func (m *multi[K, V]) all() []int32 {
	m.idx = fit(m.idx, len(m.keys))
	for i := range m.idx {
		m.idx[i] = int32(i)
	}
	return m.idx
}

// run sends the batch in rounds from a plain goroutine.
func (m *multi[K, V]) run(ctx context.Context) ([]Result[V], error) {
	if m.t.closed.Load() {
		return nil, ErrClosed
	}
	if ctx.Err() != nil {
		return nil, context.Cause(ctx) // nothing sent
	}
	for idx, round := m.all(), 0; len(idx) > 0; round++ {
		held := m.t.steady(ctx, round)
		c := m.plan(idx, round)
		if placing != nil {
			placing(held)
		}
		c.run(ctx)
		if held {
			m.t.unlock()
		}
		idx = c.record()
	}
	res, err := m.result()
	if err == nil {
		m.release()
	}
	return res, err
}

// runIn sends the batch in rounds from the reactor o and completes the
// IVar once every part has settled.
func (m *multi[K, V]) runIn(o reactor.Owner) *events.IVar[[]Result[V]] {
	t := m.t
	if t.closed.Load() {
		return failed[[]Result[V]](ErrClosed)
	}
	m.clean = false // never reused: its rounds end in callbacks
	out := &events.IVar[[]Result[V]]{}
	finish := func() {
		if res, err := m.result(); err != nil {
			out.TryFail(err)
		} else {
			out.TrySet(res)
		}
	}
	var round func(idx []int32)
	round = func(idx []int32) {
		if len(idx) == 0 {
			finish()
			return
		}
		c := m.plan(idx, 1)
		if t.closed.Load() {
			for j := range c.parts {
				c.end(j, ErrClosed)
			}
			round(c.record())
			return
		}
		left := len(c.parts)
		settled := func() {
			if left--; left == 0 {
				round(c.record())
			}
		}
		for j := range c.parts {
			c.parts[j].state = partSent
			server.AskIn(o, c.l.shards[c.parts[j].shard], c.request(j)).Subscribe(&events.Funcs[reply[V]]{
				Event: func(reply[V]) { c.parts[j].state = partApplied; settled() },
				Error: func(err error) { c.end(j, err); settled() },
			})
		}
	}
	round(m.all())
	return out
}

// result builds a settled batch's answer: the results in batch order
// and nil, or the failures (see "Batches").
func (m *multi[K, V]) result() ([]Result[V], error) {
	if len(m.errs) == 0 {
		return m.res, nil
	}
	err := m.errs[0]
	if len(m.errs) > 1 {
		err = errors.Join(m.errs...)
	}
	if !slices.Contains(m.applied, true) {
		return nil, err // no part took effect
	}
	return m.res, &BatchError{Applied: m.applied, Err: err}
}

// call is one round of a batch: some of its items grouped by their
// shards in the layout l, one part per shard involved. Caller only, but
// for the parts' messages, whose results belong to their shards once
// sent.
type call[K comparable, V any] struct {
	m     *multi[K, V]
	l     *layout[K, V]
	parts []part[K, V] // in shard order
}

// part is one shard's part of a round: its message and the caller's
// record of it.
type part[K comparable, V any] struct {
	b     batch[K, V]
	shard int
	state partState
	err   error // why the part failed
}

type partState uint8

const (
	partUnsent  partState = iota
	partSent              // waiting for the shard's reply
	partApplied           // the shard's reply was taken: the part happened
	partFailed            // the part did not happen
	partMoved             // the part did not happen: its keys moved; place it again
)

// plan groups the items idx (in batch order) by their shards in the
// table's current layout, keeping batch order within each shard. Round
// 0 uses the batch's own buffers (a reused batch's are clean); later
// rounds get new ones, since a shard may still read an earlier round's.
func (m *multi[K, V]) plan(idx []int32, round int) *call[K, V] {
	l := m.t.cur.Load()
	n, shards := len(idx), len(l.shards)
	var c *call[K, V]
	var where, next, order []int32
	var res []Result[V]
	if round == 0 {
		c = &m.first
		m.where, m.next, m.order, m.gres = fit(m.where, n), fit(m.next, shards+1), fit(m.order, n), fit(m.gres, n)
		where, next, order, res = m.where, m.next, m.order, m.gres
		clear(next)
	} else {
		c = &call[K, V]{}
		where, next, order, res = make([]int32, n), make([]int32, shards+1), make([]int32, n), make([]Result[V], n)
	}
	// next[s+1]: items of shard s, then cursors
	for p, i := range idx {
		s := Jump(m.hs[i], shards)
		where[p] = int32(s)
		next[s+1]++
	}
	involved := 0
	for s := range shards {
		if next[s+1] > 0 {
			involved++
		}
		next[s+1] += next[s]
	}
	// next[s] is now where shard s's items start.
	c.m, c.l = m, l
	if cap(c.parts) < involved {
		c.parts = make([]part[K, V], 0, involved)
	}
	for s := range shards {
		if lo, hi := next[s], next[s+1]; lo < hi {
			c.parts = append(c.parts, part[K, V]{shard: s,
				b: batch[K, V]{m: m, idx: order[lo:hi:hi], res: res[lo:hi:hi]}})
		}
	}
	for p, s := range where {
		order[next[s]] = idx[p]
		next[s]++
	}
	return c
}

// request is part j's message.
func (c *call[K, V]) request(j int) op[K, V] {
	return op[K, V]{kind: opBatch, epoch: c.l.epoch, b: &c.parts[j].b}
}

// run sends every part, then waits for the replies, the end of a shard
// that has not answered, or the end of ctx; every part is settled when
// it returns.
func (c *call[K, V]) run(ctx context.Context) {
	t := c.m.t
	if err := ctx.Err(); err != nil || t.closed.Load() {
		if err != nil {
			err = context.Cause(ctx)
		} else {
			err = ErrClosed
		}
		for j := range c.parts {
			c.end(j, err)
		}
		return
	}
	last, left := c.direct() // ctx and Close checked above
	if left == 0 {
		return
	}
	// Refused replies (the caller stopped waiting) make their shard undo
	// its part.
	in := protocol.NewInbox[server.Reply[reply[V]]](t.sys, "dht batch reply", left)
	to := reactor.ChannelOf[server.Reply[reply[V]]](in)
	pending := 0
	for j := range c.parts {
		if c.parts[j].state != partUnsent {
			continue
		}
		srv := c.l.shards[c.parts[j].shard]
		req := server.NewRequest(c.request(j), to, uint64(j+1))
		var err error
		if j == last {
			// The others are sent: an idle shard's turn may run here
			// while the pool runs theirs.
			err = srv.SendAndRun(ctx, req)
		} else {
			err = srv.Offer(ctx, req)
		}
		if err != nil {
			c.end(j, err) // refused: dead-lettered
			continue
		}
		c.parts[j].state = partSent
		pending++
	}
	done := ctx.Done()
	w, wdone := -1, (<-chan struct{})(nil) // the first part waited for, and its shard's end
	for pending > 0 {
		if w < 0 || c.parts[w].state != partSent {
			w = c.firstSent()
			wdone = c.l.shards[c.parts[w].shard].Done()
		}
		select {
		case r := <-in.C():
			if c.settle(r) {
				pending--
			}
		case <-wdone:
			pending -= c.drain(in) // replies sent before the shard's end
			if c.parts[w].state == partSent {
				c.end(w, fmt.Errorf("dht: shard %d: %w", c.parts[w].shard, server.ErrServerTerminated))
				pending--
			}
		case <-done:
			cause := context.Cause(ctx)
			for _, r := range in.Close(nil) { // replies taken before the end count
				c.settle(r)
			}
			c.m.clean = false // the shards still sent to may read their parts
			for j := range c.parts {
				if c.parts[j].state == partSent {
					c.fail(j, cause)
				}
			}
			pending = 0
		}
	}
}

// direct applies here and now, as the shard's reactor would (see
// Table.direct), the parts of the shards that are idle, all with one
// guest slot ([reactor.Guest]). It returns how many parts are left to send
// and the last of them.
func (c *call[K, V]) direct() (last, left int) {
	last = -1
	g, _ := reactor.TakeGuest() // none: every part is sent
	defer g.Release()
	m := c.m
	for j := range c.parts {
		p := &c.parts[j]
		sh := c.l.shells[p.shard]
		var ok bool
		var err error
		p.b.inPlace = m.vals == nil
		c.l.shards[p.shard].RunIfIdleAs(g, func() { ok, err = sh.directBatch(c.l.epoch, &p.b) })
		switch {
		case !ok:
			p.b.inPlace = false // it is sent: the shard writes p.b.res
			last, left = j, left+1
		case err != nil:
			if p.b.inPlace {
				for _, i := range p.b.idx {
					m.res[i] = Result[V]{} // a failed item has no result
				}
			}
			c.fail(j, err) // the shard undid the part
		default:
			p.state = partApplied
		}
	}
	return last, left
}

// firstSent returns the first part still waiting for its reply. Watching
// only its shard's end is enough: the parts before it have settled, and a
// later shard's end is seen when that part's turn to be watched comes.
func (c *call[K, V]) firstSent() int {
	for j := range c.parts {
		if c.parts[j].state == partSent {
			return j
		}
	}
	panic("dht: no part waits") // run calls it only while some do
}

// settle records a shard's reply.
//
// It reports whether r settled a part that was waiting for its answer. A
// part whose send was refused, or that was ended when its shard
// terminated, also gets an answer when its request is dead-lettered
// ([server.UndeliveredError]): that one is ignored, the part is settled
// already.
func (c *call[K, V]) settle(r server.Reply[reply[V]]) bool {
	j := int(r.ID() - 1) // a shard answers with the id of its request: 1..len(parts)
	if c.parts[j].state != partSent {
		return false
	}
	if r.Err != nil {
		c.answered(j, r.Err) // the shard did not apply its part, or undid it
		return true
	}
	c.parts[j].state = partApplied
	return true
}

// drain settles the replies already taken and returns how many settled a
// waiting part.
func (c *call[K, V]) drain(in *protocol.Inbox[server.Reply[reply[V]]]) int {
	n := 0
	for {
		select {
		case r := <-in.C():
			if c.settle(r) {
				n++
			}
		default:
			return n
		}
	}
}

// end settles part j, which did not happen because of err: it is to be
// placed again if a [Table.Resize] moved its keys, else it failed.
//
// A part that ends without its shard's answer may still be read by the
// shard (or kept in a dead letter): its batch is no longer clean.
func (c *call[K, V]) end(j int, err error) {
	c.m.clean = false
	c.answered(j, err)
}

// answered is end for a part its shard answered with err: the shard is
// done with it.
func (c *call[K, V]) answered(j int, err error) {
	if c.m.t.replace(err, c.l) {
		c.parts[j].state = partMoved
		return
	}
	c.fail(j, c.m.t.wrap(err))
}

// fail settles part j as failed with err. The caller decides whether
// the batch stays clean.
func (c *call[K, V]) fail(j int, err error) {
	c.parts[j].state, c.parts[j].err = partFailed, err
}

// record writes the settled parts' outcomes into the batch and returns
// the batch indexes of the items to place again, in batch order.
func (c *call[K, V]) record() []int32 {
	m := c.m
	var again []int32
	for _, p := range c.parts {
		switch p.state {
		case partApplied:
			if p.b.inPlace { // its results are in place
				for _, i := range p.b.idx {
					m.applied[i] = true
				}
				continue
			}
			for q, i := range p.b.idx {
				m.res[i], m.applied[i] = p.b.res[q], true
			}
		case partMoved:
			again = append(again, p.b.idx...)
		default:
			if !containsErr(m.errs, p.err) {
				m.errs = append(m.errs, p.err)
			}
		}
	}
	slices.Sort(again)
	return again
}

// containsErr reports whether errs holds err (by [errors.Is], which
// compares only comparable errors).
func containsErr(errs []error, err error) bool {
	for _, e := range errs {
		if errors.Is(e, err) {
			return true
		}
	}
	return false
}
