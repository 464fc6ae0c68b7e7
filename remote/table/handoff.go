package table

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/node"
)

// A layout change moves keys in hand-overs: each member of the old layout
// sends every member of the new one (but itself) the keys that member
// takes from it, in chunks numbered from 0, the last one marked, each
// acknowledged before the next is sent; a member with nothing to give
// sends one empty chunk. A member serves keys it takes from a holder only
// once that holder's last chunk arrived, or once the holder is found gone
// (its subscription has no responders: its keys are lost).

// handoffOverhead bounds what a chunk adds to its entries' encodings.
const handoffOverhead = 256

// Hand-over timing: how long a chunk waits for its acknowledgement before
// it is sent again, how many times a holder with no responders is tried
// before it counts as gone, and how often the run loop asks whether a
// holder it waits for is still there.
const (
	loadTimeout    = time.Minute // a durable table's load of the keys it gains
	handoffTimeout = 2 * time.Second
	goneAttempts   = 5
	pingEvery      = 200 * time.Millisecond
)

// handoff is one chunk of keys moving to a member at epoch Epoch.
type handoff[K comparable, V any] struct {
	Epoch   uint64         `json:"e"`
	From    string         `json:"from"`
	Seq     int            `json:"seq"`
	Last    bool           `json:"last"`
	Entries []dht.KV[K, V] `json:"entries"`
	// Stored: a durable table's holder has stopped serving the keys and
	// hands none over: its receiver loads them from the bucket.
	Stored bool `json:"stored,omitempty"`
}

// after returns the layout of the epoch after e, if r has it; an error
// if r no longer holds it (the node fell more than layoutHistory changes
// behind).
func (r *record) after(e uint64) (layout, bool, error) {
	if r.current().Epoch <= e {
		return layout{}, false, nil
	}
	for _, l := range r.Layouts {
		if l.Epoch == e+1 {
			return l, true, nil
		}
	}
	return layout{}, false, fmt.Errorf("table: layout: epoch %d is no longer known (the node fell behind)", e+1)
}

// settledLocked reports whether the node has no hand-over pending, in or
// out. t.mu is held.
func (t *Table[K, V]) settledLocked() bool {
	if t.shipping {
		return false
	}
	for _, w := range t.waiting {
		if w {
			return false
		}
	}
	return true
}

// run applies the layouts in epoch order, each once the node has settled
// the one before, and meanwhile asks the holders it waits for whether they
// are still there. It is the only goroutine that changes t.cur.
func (t *Table[K, V]) run() {
	defer t.done.Done()
	var lastPing time.Time
	tm := time.NewTimer(pingEvery)
	defer tm.Stop()
	for {
		t.mu.RLock()
		cur, settled := t.cur, t.settledLocked()
		var pending []string
		for s, w := range t.waiting {
			if w {
				pending = append(pending, s)
			}
		}
		t.mu.RUnlock()
		var tick <-chan time.Time
		if settled {
			t.vmu.Lock()
			rec := t.latest
			t.vmu.Unlock()
			next, ok, err := rec.after(cur.Epoch)
			if err != nil {
				t.fail(err)
				return
			}
			if ok {
				t.advance(next)
				continue
			}
		} else {
			if !t.cache {
				t.loadStored(pending)
			} else if time.Since(lastPing) >= pingEvery {
				lastPing = time.Now()
				for _, s := range pending {
					if t.gone(s) {
						t.mu.Lock()
						t.waiting[s] = false
						t.mu.Unlock()
						t.notify()
					}
				}
			}
			tm.Reset(pingEvery)
			tick = tm.C
		}
		t.recheck()
		if !t.keepMoved(cur) && tick == nil {
			tm.Reset(pingEvery)
			tick = tm.C
		}
		if !t.sleep(tick) {
			return
		}
	}
}

// loadStored, in a durable table's run loop, loads from the bucket the
// keys the node takes from the holders in pending that are known to
// have stopped serving them: those that said so (Stored), those whose
// registry lease has ended (they stop serving before it ends), and "",
// no holder at all. Loading them all costs one pass over the stored
// entries.
func (t *Table[K, V]) loadStored(pending []string) {
	t.mu.RLock()
	cur, prev := t.cur, t.prev
	ready := map[string]bool{}
	for _, s := range pending {
		if t.stored[s] {
			ready[s] = true
		}
	}
	t.mu.RUnlock()
	for _, s := range pending {
		if !ready[s] && s != "" && !t.registered(s) {
			ready[s] = true
		}
	}
	if len(ready) == 0 {
		return
	}
	var gained [slots]bool // the slots to load: the member's, from a holder in ready
	for s := range slots {
		if cur.holder(s) == t.self && ready[prev.holder(s)] {
			gained[s] = true
		}
	}
	want := func(h uint64) bool { return gained[slotOf(h)] }
	ctx, cancel := context.WithTimeout(t.ctx, loadTimeout)
	defer cancel()
	// The move first: the former holders' writes that JetStream has not
	// stored by now are refused, so the load sees every write that will
	// ever be stored under their epochs. (A former holder gives its
	// slots up only after it stopped serving them, see advance, or once
	// its lease ended.)
	start := time.Now()
	err := t.move(ctx, cur.Epoch)
	var n int
	if err == nil || errors.Is(err, errBehind) { // behind: the graves it needs exist
		n, err = t.loadEntries(ctx, want)
	}
	if err != nil {
		if t.ctx.Err() == nil {
			t.in.ReportError(err)
		}
		return // tried again at the next tick
	}
	t.count.loads.Add(1)
	t.count.loaded.Add(uint64(n))
	t.count.lastLoad.Store(int64(time.Since(start)))
	t.mu.Lock()
	if t.cur == cur {
		for s := range ready {
			t.waiting[s], t.stored[s] = false, false
		}
	}
	t.mu.Unlock()
	t.notify()
}

// keepMoved, in a durable member's run loop, moves the bucket's stream
// to the epoch of cur, the layout the member serves (see revoke.go),
// unless the member saw that done. It reports false if the move is to
// be tried again.
func (t *Table[K, V]) keepMoved(cur *view) bool {
	if t.cache || !cur.has(t.self) || t.moved.Load() >= cur.Epoch {
		return true
	}
	ctx, cancel := context.WithTimeout(t.ctx, handoffTimeout)
	defer cancel()
	err := t.move(ctx, cur.Epoch)
	if err != nil && !errors.Is(err, errBehind) && t.ctx.Err() == nil {
		t.in.ReportError(err)
	}
	return err == nil || errors.Is(err, errBehind)
}

// sleep waits for a wake-up or tick; it returns false when the loop must
// end.
func (t *Table[K, V]) sleep(tick <-chan time.Time) bool {
	select {
	case <-t.wake:
	case <-tick:
	case <-t.stop:
		return false
	case <-t.in.Closed():
		t.fail(fmt.Errorf("%w: table %s", remote.ErrClosed, t.name))
		return false
	}
	return true
}

// advance makes l the layout the node serves: it stops serving the keys l
// takes away and starts waiting for those it brings (under t.mu, so no
// operation is half-applied meanwhile), then hands over the keys it lost.
func (t *Table[K, V]) advance(l layout) {
	next := newView(l)
	next.wpre = t.writePrefix(l.Epoch)
	t.vmu.Lock()
	if t.latest.current().Epoch == l.Epoch {
		next.rev = t.latestR
	}
	t.vmu.Unlock()
	t.mu.Lock()
	prev := t.cur
	t.prev, t.cur = prev, next
	if !next.has(t.self) {
		t.earlier = false // the earlier life is left behind
	}
	clear(t.waiting)
	clear(t.nextSeq)
	clear(t.stored)
	if next.has(t.self) {
		for _, m := range prev.Members {
			if m != t.self {
				t.waiting[m] = true
			}
		}
		if len(prev.Members) == 0 && !t.cache {
			// No holder to hand keys over: whatever the bucket holds.
			t.waiting[""], t.stored[""] = true, true
		}
	}
	ship := prev.has(t.self)
	t.shipping = ship
	early := t.early[next.Epoch]
	for e := range t.early {
		if e <= next.Epoch {
			delete(t.early, e)
		}
	}
	for _, data := range early {
		t.receiveLocked(data)
	}
	t.mu.Unlock()
	t.notify()
	if !ship {
		return
	}
	t.ship(next)
	t.mu.Lock()
	t.shipping = false
	t.mu.Unlock()
	t.notify()
	if !next.has(t.self) && !t.closing.Load() && !t.in.Closing() {
		// Removed while open (taken for gone): join again.
		_ = t.propose(t.ctx, with(t.self))
	}
}

// ship hands the keys next takes from this node to their new holders and
// then deletes them here (they are not served any more since the switch).
// A durable table hands over no entries: it tells each member that it
// has stopped, and the members load the keys they take from the bucket.
func (t *Table[K, V]) ship(next *view) {
	out := map[string][]dht.KV[K, V]{} // a cache's entries, by new holder
	var moved []K
	err := t.local.Range(t.ctx, func(k K, v V) bool {
		h, err := t.hash(k)
		if err != nil {
			return true // it hashed when it was stored: keep it
		}
		if o := next.owner(h); o != t.self {
			if t.cache {
				out[o] = append(out[o], dht.KV[K, V]{Key: k, Value: v})
			}
			moved = append(moved, k)
		}
		return true
	})
	if err != nil {
		return // the table is closing
	}
	for _, m := range next.Members {
		switch {
		case m == t.self:
		case t.cache:
			t.handOver(next.Epoch, m, out[m])
		default:
			t.handOverStored(next.Epoch, m)
		}
	}
	for _, k := range moved {
		_, _, _ = t.local.Delete(t.ctx, k)
	}
}

// handOverStored tells member m that this node stopped serving the keys
// m takes at epoch: one chunk, marked Stored.
func (t *Table[K, V]) handOverStored(epoch uint64, m string) {
	data, err := json.Marshal(handoff[K, V]{Epoch: epoch, From: t.self, Last: true, Stored: true})
	if err != nil {
		t.in.ReportError(fmt.Errorf("table: %s: hand-over to %s: %w", t.name, m, err))
		return
	}
	t.sendChunk(m, data)
}

// handOver sends entries to member m in chunks under the payload limit.
// It gives up on m when m is gone or the table stops.
func (t *Table[K, V]) handOver(epoch uint64, m string, entries []dht.KV[K, V]) {
	chunks := t.chunks(entries)
	for seq, c := range chunks {
		data, err := json.Marshal(handoff[K, V]{Epoch: epoch, From: t.self, Seq: seq, Last: seq == len(chunks)-1, Entries: c})
		if err != nil {
			t.in.ReportError(fmt.Errorf("table: %s: hand-over to %s: %w", t.name, m, err))
			return
		}
		if !t.sendChunk(m, data) {
			return
		}
	}
}

// sendChunk sends one hand-over chunk to member m until m acknowledges
// it; it reports false when it gives up (m refused it, m is gone, or
// the table stops).
func (t *Table[K, V]) sendChunk(m string, data []byte) bool {
	for absent := 0; ; {
		ctx, cancel := context.WithTimeout(t.ctx, handoffTimeout)
		msg, err := t.n.Conn().RequestWithContext(ctx, t.subj+m+".hand", data)
		cancel()
		if err == nil && msg.Header.Get(node.HeaderCode) == "" {
			return true
		}
		if err == nil {
			t.in.ReportError(fmt.Errorf("table: %s: hand-over refused by %s: %s", t.name, m, msg.Header.Get(node.HeaderMessage)))
			return false
		}
		if t.ctx.Err() != nil {
			return false
		}
		if errors.Is(err, nats.ErrNoResponders) {
			if absent++; absent >= goneAttempts {
				return false // m is gone: the keys are lost with it (a durable table's stay stored)
			}
			time.Sleep(time.Duration(absent) * 10 * time.Millisecond)
		}
	}
}

// chunks splits entries into groups whose encodings fit the payload limit
// (at least one group, maybe empty).
func (t *Table[K, V]) chunks(entries []dht.KV[K, V]) [][]dht.KV[K, V] {
	out := [][]dht.KV[K, V]{nil}
	size := handoffOverhead
	for _, e := range entries {
		data, err := json.Marshal(e)
		if err != nil {
			continue // Put encoded it: it cannot fail here
		}
		if n := len(data) + 1; size+n > t.n.MaxPayload() && len(out[len(out)-1]) > 0 {
			out = append(out, nil)
			size = handoffOverhead
		}
		out[len(out)-1] = append(out[len(out)-1], e)
		size += len(data) + 1
	}
	return out
}

// gone reports whether member m has no subscription for the table any
// more (its table closed, or its node or connection is gone).
func (t *Table[K, V]) gone(m string) bool {
	data, _ := encodeRequest(&request[K, V]{Op: opPing})
	ctx, cancel := context.WithTimeout(t.ctx, handoffTimeout)
	defer cancel()
	_, err := t.n.Conn().RequestWithContext(ctx, t.subj+m+".op", data)
	return errors.Is(err, nats.ErrNoResponders)
}

// onHandoff takes a chunk of keys (on the subscription's goroutine): it
// installs a chunk of the current epoch, keeps one of a later epoch for
// when the node gets there, and acknowledges every chunk, duplicates too.
func (t *Table[K, V]) onHandoff(m *nats.Msg) {
	var h handoff[K, V]
	if err := json.Unmarshal(m.Data, &h); err != nil {
		_ = node.RespondError(m, remote.CodeDecode, fmt.Errorf("%w: table %s hand-over: %w", remote.ErrDecode, t.name, err))
		return
	}
	t.mu.Lock()
	switch {
	case h.Epoch > t.cur.Epoch:
		t.early[h.Epoch] = append(t.early[h.Epoch], h)
	case h.Epoch == t.cur.Epoch:
		t.receiveLocked(h)
	}
	t.mu.Unlock()
	_ = m.Respond(nil)
	t.notify()
}

// receiveLocked installs chunk h of the current epoch if it is the next
// one expected from its holder. t.mu is held.
func (t *Table[K, V]) receiveLocked(h handoff[K, V]) {
	if !t.waiting[h.From] || h.Seq != t.nextSeq[h.From] {
		return // a duplicate, or from a holder given up on
	}
	if h.Stored {
		t.stored[h.From] = true // the run loop loads its keys
		return
	}
	if len(h.Entries) > 0 {
		if _, err := t.local.MultiPut(t.ctx, h.Entries); err != nil {
			return // the table is closing
		}
	}
	t.nextSeq[h.From]++
	if h.Last {
		t.waiting[h.From] = false
	}
}

// watchMembers removes from the layout the members whose registry lease
// ended: first those already missing, then each as it leaves.
func (t *Table[K, V]) watchMembers(w *remote.MemberWatch) {
	defer t.done.Done()
	defer func() { w.Stop() }()
	if ms, err := t.n.Members(); err == nil {
		live := map[string]bool{}
		for _, m := range ms {
			live[m.ID] = true
		}
		v, _, _ := t.latestView()
		for _, id := range v.Members {
			if !live[id] && id != t.self {
				_ = t.propose(t.ctx, without(id))
			}
		}
	}
	for {
		select {
		case ev, ok := <-w.Changes():
			if !ok {
				if !errors.Is(w.Err(), remote.ErrWatchOverflow) {
					return
				}
				nw, err := t.n.WatchMembers(0)
				if err != nil {
					return
				}
				w = nw
				continue
			}
			if ev.Change != remote.MemberLeft || ev.Member.ID == t.self {
				continue
			}
			if v, _, _ := t.latestView(); v.has(ev.Member.ID) {
				_ = t.propose(t.ctx, without(ev.Member.ID))
			}
		case <-t.stop:
			return
		}
	}
}
