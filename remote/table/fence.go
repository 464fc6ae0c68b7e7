package table

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// This file holds the slot fences of a durable table. Every stored write
// of a key is conditioned on the fence key of the key's slot
// ("s.<slot>"): Nats-Expected-Last-Subject-Sequence names the sequence
// of that fence key's last write, which the holder of the slot made
// itself when it took the slot (or later, see refence). A member that
// gains a slot writes its fence before it loads the slot's keys, so
// every write of the slot's former holder that JetStream had not stored
// by then is refused, whatever that holder believes: it lost the slot
// to a layout it has not seen, it was paused past its lease, or cut off.
//
// A fence is taken only under a layout the member proved current: the
// fence write is followed by a barrier (a write conditioned on the
// layout record, see barrier), and the fence counts only if the barrier
// passes. A member that is behind may still write a fence before its
// barrier fails; the slot's true holder then sees its next write
// refused and takes the fence again (refence). That costs a retry, never
// a lost write.
//
// Why a fence per slot, not one for the table: a JetStream cluster
// admits one conditioned write per condition subject at a time (others
// get "wrong last sequence", error 10164, until it is applied), so one
// fence would serialize every write of the table on the replication
// round trip; with 1,024 slot fences, writes of different slots go
// together, and the rare writes that meet one in flight try again
// (busyPause).

// slotPrefix starts the bucket key of a slot's fence: "s." and the slot.
const slotPrefix = "s."

// slotKey returns the bucket key of slot s's fence.
func slotKey(s int) string { return slotPrefix + strconv.Itoa(s) }

// Pauses of a conditioned write that met another one in flight on its
// condition subject (a cluster only): the first, doubled up to the last.
const (
	busyPause    = 50 * time.Microsecond
	maxBusyPause = 5 * time.Millisecond
)

// maxRefences bounds how many times one write takes its slot's fence
// again before it answers "not ready" (its caller then waits and places
// it again).
const maxRefences = 3

// fences is a durable member's fence of each slot it holds (16 KiB, so
// a cache table has none).
type fences struct {
	seq [slots]atomic.Uint64 // the sequence of the slot's fence as the member wrote it in cur; 0: take it before storing
	mu  [slots]sync.Mutex    // held to take a slot's fence (refence)
}

// busy reports whether err refused a conditioned write because another
// one on the same condition subject is in flight (a cluster only).
func busy(err error) bool {
	var api *jetstream.APIError
	return errors.As(err, &api) && api.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}

// errUnanswered marks a conditioned write that no JetStream server
// answered (see unanswered): nothing was stored, so the write may be
// placed again.
var errUnanswered = errors.New("no JetStream server answered")

// conflict reports whether err refused a conditioned write because its
// condition subject was written since.
func conflict(err error) bool {
	var api *jetstream.APIError
	return errors.As(err, &api) && api.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}

// publishFenced publishes m on the condition that the last write of
// bucket key cond has sequence seq, trying again while another
// conditioned write of cond is in flight. It reports refused when cond
// was written since (nothing was stored), and otherwise returns m's
// sequence in the stream. Any other error leaves it unknown whether m
// was stored, except one matching errUnanswered: nobody took m.
func (t *Table[K, V]) publishFenced(ctx context.Context, m *nats.Msg, cond string, seq uint64) (refused bool, stored uint64, err error) {
	m.Header.Set(hdrExpectSeq, strconv.FormatUint(seq, 10))
	m.Header.Set(hdrExpectSubj, t.subject(cond))
	for pause := busyPause; ; pause = min(2*pause, maxBusyPause) {
		ack, err := t.publishMsg(ctx, m)
		switch {
		case err == nil:
			return false, ack.Sequence, nil
		case conflict(err):
			t.count.refused.Add(1)
			return true, 0, nil
		case ctx.Err() != nil:
			return false, 0, context.Cause(ctx)
		case unanswered(err):
			return false, 0, fmt.Errorf("table: %s: store: %w (%w)", t.name, errUnanswered, err)
		case !busy(err):
			return false, 0, fmt.Errorf("table: %s: store: %w", t.name, t.in.TransportErr(t.name, err))
		}
		t.count.busy.Add(1)
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return false, 0, context.Cause(ctx)
		}
	}
}

// publishFunc publishes a message to JetStream and waits for its
// acknowledgement.
type publishFunc func(ctx context.Context, m *nats.Msg) (*jetstream.PubAck, error)

// publishMsg publishes m to JetStream and waits for its acknowledgement
// (tests replace it with t.pub).
func (t *Table[K, V]) publishMsg(ctx context.Context, m *nats.Msg) (*jetstream.PubAck, error) {
	if f := t.pub.Load(); f != nil {
		return (*f)(ctx, m)
	}
	return t.in.JetStream().PublishMsg(ctx, m)
}

// refence takes the fence of slot s, which the member holds in its
// layout cur, unless another writer just did: it writes the fence and
// checks with a barrier that cur is still the newest layout. It returns
// the fence's sequence, or 0 if the layout changed.
func (t *Table[K, V]) refence(ctx context.Context, s int, cur *view) (uint64, error) {
	mu := &t.fence.mu[s]
	mu.Lock()
	defer mu.Unlock()
	if seq := t.fence.seq[s].Load(); seq != 0 {
		return seq, nil
	}
	seqs, err := t.writeFences(ctx, []int{s}, cur.Epoch)
	if err != nil {
		return 0, err
	}
	ok, _, err := t.barrier(ctx, cur.rev)
	if err != nil || !ok {
		return 0, err
	}
	t.fence.seq[s].Store(seqs[0])
	return seqs[0], nil
}

// writeFences writes the fences of slots ss all at once (the value is
// the writer's layout epoch, for people reading the bucket), and returns
// their sequences in the stream.
func (t *Table[K, V]) writeFences(ctx context.Context, ss []int, epoch uint64) ([]uint64, error) {
	data := []byte(strconv.FormatUint(epoch, 10))
	js := t.in.JetStream()
	acks := make([]jetstream.PubAckFuture, len(ss))
	for i, s := range ss {
		f, err := js.PublishAsync(t.in.APIPrefix()+t.subject(slotKey(s)), data)
		if err != nil {
			return nil, fmt.Errorf("table: %s: fence: %w", t.name, t.in.TransportErr(t.name, err))
		}
		acks[i] = f
	}
	t.count.fences.Add(uint64(len(ss)))
	seqs := make([]uint64, len(ss))
	for i, f := range acks {
		select {
		case ack := <-f.Ok():
			seqs[i] = ack.Sequence
		case err := <-f.Err():
			if unanswered(err) { // nothing was stored
				return nil, fmt.Errorf("table: %s: fence: %w (%w)", t.name, errUnanswered, err)
			}
			return nil, fmt.Errorf("table: %s: fence: %w", t.name, t.in.TransportErr(t.name, err))
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
	return seqs, nil
}

// dropFences forgets the fences of the slots next does not give the
// member, or gives it anew (from prev): they are taken again before the
// member stores in them. A cache has none. t.mu is held.
func (t *Table[K, V]) dropFences(prev, next *view) {
	if t.fence == nil {
		return
	}
	for s := range slots {
		if next.holder(s) != t.self || prev.holder(s) != t.self {
			t.fence.seq[s].Store(0)
		}
	}
}
