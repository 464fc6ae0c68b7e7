package durable

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
)

// Exported is a durable name exported by a node (see [Export]).
// [Exported.Close] stops it. Its methods are safe for concurrent use.
type Exported struct{ e *exporter }

// Export takes the events of the durable name from its stream, in n's
// namespace, and hands each to ch as a [Delivery], which the handler
// acknowledges once it has taken the event ([Delivery.Ack]): JetStream
// removes an event only then, so neither a crash of the sending side (its
// events are stored) nor one of the exporting side (its unacknowledged
// events are delivered again) loses one. It creates the stream if no end
// of the name has yet, and the name's consumer (one for all its exports;
// the newest export's AckWait and MaxPending apply).
//
// Events are handed over one at a time, in the stream's order, on one
// goroutine of the node's connection, as [remote.Export] hands its events;
// when ch's reactor is idle its turn runs there. At most
// [Config.MaxPending] events are handed over and not acknowledged; while
// the export runs, JetStream's AckWait is extended for them, so a slow
// handler gets no second copy. A payload that the codec cannot decode is
// dead-lettered on ch's system (the node's for a channel of no reactor)
// with [reactor.ReasonUndecodable] and a [remote.Undecodable], and removed
// from the stream. An event ch cannot take for now (a full Fail mailbox, an
// overflowing bounded mailbox, a router with no member or whose member
// refused it) goes back to the stream for [Config.Retry]; when ch refuses
// for good (a reactor's channel sealed, terminated, stopped, with nobody
// subscribed; a closed router) the event goes back to the stream and the
// export stops taking events: [Exported.Err] says why, and the node's
// [remote.Node.Notices] reports it. On a full Block mailbox the hand-over
// waits for room.
//
// If several nodes export the name, each event goes to one of them (they
// share the consumer), and the order holds per receiving node only. One
// node may export a name once.
//
// Export blocks for a few JetStream requests (stream and consumer), at most
// until ctx ends or [Config.Timeout] passes. Errors: [remote.ErrInvalidName],
// [ErrInvalidConfig], [reactor.ErrNilChannel] for the zero channel,
// [remote.ErrDuplicateName], [remote.ErrClosed], [ErrNoJetStream],
// [ErrStream]; [reactor.ErrInsideReactor] from a reactor's handler or
// constructor. An export costs a pull subscription and the goroutines of
// nats.go's consumer, one goroutine of its own, a consumer info request
// every AckWait/4 while acknowledgements are pending, and a map entry per
// event held.
func Export[T any](ctx context.Context, n *remote.Node, name string, ch reactor.Channel[Delivery[T]], cfg Config[T]) (*Exported, error) {
	if reactor.Inside() {
		return nil, fmt.Errorf("durable: export %s: %w", name, reactor.ErrInsideReactor)
	}
	if ch == (reactor.Channel[Delivery[T]]{}) {
		return nil, fmt.Errorf("durable: export %s: %w", name, reactor.ErrNilChannel)
	}
	cfg = cfg.withDefaults()
	t, err := open(ctx, n, name, cfg)
	if err != nil {
		return nil, err
	}
	if err := t.in.Claim(claimOf(name)); err != nil {
		return nil, err
	}
	e := &exporter{t: t, retry: cfg.Retry, ackWait: cfg.AckWait, held: map[uint64]*held{},
		stopping: make(chan struct{}), poke: make(chan struct{}, 1)}
	ok := false
	defer func() {
		if !ok {
			t.in.Release(claimOf(name))
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	err = retry(ctx, func(attempt context.Context) error {
		e.cons, err = t.js.CreateOrUpdateConsumer(attempt, t.stream, jetstream.ConsumerConfig{
			Durable:       consumerName,
			Description:   "reactors exports of durable channel " + name,
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       cfg.AckWait,
			MaxAckPending: cfg.MaxPending,
			MaxDeliver:    -1,
		})
		return err
	})
	if err != nil {
		return nil, t.openErr(err)
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	sys := ch.System()
	if sys == nil {
		sys = n.System()
	}
	e.direct = ch.System() != nil
	r := &receiver[T]{e: e, codec: cfg.Codec, sys: sys, ch: ch, done: ch.Done(), dead: "durable:" + name}
	e.cc, err = e.cons.Consume(r.handle, jetstream.PullMaxMessages(min(cfg.MaxPending, 256)),
		jetstream.ConsumeErrHandler(e.consumeErr))
	if err != nil {
		e.cancel()
		return nil, fmt.Errorf("%w: %s: %w", ErrStream, name, err)
	}
	if e.removeCloser, err = t.in.OnClose(func(ctx context.Context) { _ = e.stop(ctx) }); err != nil { // the node is closing
		e.removeCloser = func() {}
		e.kept.Add(1)
		go e.keep()
		_ = e.stop(context.Background())
		ok = true // stop released the name
		return nil, fmt.Errorf("%w: %s", remote.ErrClosed, name)
	}
	e.kept.Add(1)
	go e.keep()
	ok = true
	return &Exported{e}, nil
}

// claimOf is what an export of name claims on its node: durable names
// are claimed apart from remote's exports of the same name.
func claimOf(name string) string { return "#durable/" + name }

// Name returns the exported name.
func (x *Exported) Name() string { return x.e.t.name }

// Err returns nil while the export takes events, and after it stopped by
// itself the reason, matching [ErrExportStopped] and the channel's refusal
// ([reactor.ErrSealed], [reactor.ErrTerminated]...). [Exported.Close]
// does not set it.
func (x *Exported) Err() error {
	x.e.mu.Lock()
	defer x.e.mu.Unlock()
	return x.e.err
}

// Held returns how many events the export has handed to its channel and
// not yet acknowledged.
func (x *Exported) Held() int {
	x.e.mu.Lock()
	defer x.e.mu.Unlock()
	return len(x.e.held)
}

// Close stops the export: no event is handed to the channel once Close
// returns, and events received and not yet handed over go back to the
// stream at once, for the name's other or next exports. Events already
// handed over stay with the channel: their acknowledgements still count
// while the node's connection lasts; those never acknowledged come again
// to a later export after AckWait. The name can then be exported again.
// Close waits for the hand-over under way, at most until ctx ends (then
// what the client holds comes back after AckWait, and Close returns
// ctx's cause). It is idempotent: later calls return nil. The node's
// Close closes its exports the same way.
func (x *Exported) Close(ctx context.Context) error { return x.e.stop(ctx) }

// exporter is an export's state, apart from its event type.
type exporter struct {
	t            *target
	direct       bool // the channel is a reactor's own: its refusals are for good
	retry        time.Duration
	ackWait      time.Duration
	cons         jetstream.Consumer
	cc           jetstream.ConsumeContext
	ctx          context.Context // ended by stop: a hand-over waiting for room gives up
	cancel       context.CancelFunc
	removeCloser func()
	stopping     chan struct{} // closed by stop: the keeper returns
	poke         chan struct{} // the export failed: the keeper stops consuming
	kept         sync.WaitGroup
	once         sync.Once

	mu      sync.Mutex
	stopped bool             // guarded by mu: new deliveries go back to the stream
	held    map[uint64]*held // guarded by mu: handed over, not acknowledged
	acked   spans            // guarded by mu: acknowledged, maybe not recorded by JetStream yet
	err     error            // guarded by mu: why the export stopped by itself
}

// receiver hands the deliveries of an export to its channel.
type receiver[T any] struct {
	e     *exporter
	codec remote.Codec[T]
	sys   *reactor.System
	ch    reactor.Channel[Delivery[T]]
	done  <-chan struct{} // ch's Done
	dead  string          // the channel name of its dead letters
}

// handle takes one message of the consumer: it runs on the consumer's
// one delivery goroutine.
func (r *receiver[T]) handle(m jetstream.Msg) {
	e := r.e
	meta, err := m.Metadata()
	if err != nil { // not a JetStream delivery: nothing to acknowledge
		return
	}
	seq := meta.Sequence.Stream
	e.mu.Lock()
	switch {
	case e.stopped:
		e.mu.Unlock()
		_ = m.Nak()
		return
	case e.held[seq] != nil: // delivered again while the channel holds it
		e.mu.Unlock()
		return
	case e.acked.has(seq): // acknowledged, and the acknowledgement got lost
		e.mu.Unlock()
		_ = m.Ack()
		return
	}
	h := &held{e: e, seq: seq, msg: m, reset: time.Now()}
	e.held[seq] = h
	e.mu.Unlock()

	v, err := decode(r.codec, m.Data())
	if err != nil {
		e.forget(h)
		r.sys.DeadLetter(r.dead, reactor.ReasonUndecodable, remote.Undecodable{
			Name: e.t.name, Subject: m.Subject(), Data: append([]byte(nil), m.Data()...),
			Err: fmt.Errorf("%w: %w", remote.ErrDecode, err),
		})
		_ = m.Term()
		return
	}
	select {
	case <-r.done: // the reactor (or router) has ended: nothing to hand over to
		h.giveBack(0)
		e.fail(reactor.ErrTerminated)
		return
	default:
	}
	d := Delivery[T]{Value: v, ID: m.Headers().Get(jetstream.MsgIDHeader), Seq: seq,
		Attempt: int(meta.NumDelivered), Stored: meta.Timestamp, h: h}
	err = r.ch.SendAndRun(e.ctx, d)
	switch {
	case err == nil:
	case e.ctx.Err() != nil: // the export stops
		h.giveBack(0)
	case e.direct && (errors.Is(err, reactor.ErrSealed) || errors.Is(err, reactor.ErrTerminated) ||
		errors.Is(err, reactor.ErrClosed)): // refused for good (the runtime dead-lettered d)
		h.giveBack(0)
		e.fail(err)
	default: // for now: a full Fail mailbox, a router with no route or whose target refused
		h.giveBack(e.retry)
	}
}

// forget removes h from the held events, reporting whether it was there.
func (e *exporter) forget(h *held) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.held[h.seq] != h {
		return false
	}
	delete(e.held, h.seq)
	return true
}

// ack acknowledges h (see [Delivery.Ack]).
func (h *held) ack() {
	e := h.e
	e.mu.Lock()
	if e.held[h.seq] != h {
		e.mu.Unlock()
		return
	}
	delete(e.held, h.seq)
	e.acked.add(h.seq)
	e.mu.Unlock()
	_ = h.msg.Ack()
}

// giveBack returns h's event to the stream for delay (at once for 0),
// unless it was acknowledged or given back already.
func (h *held) giveBack(delay time.Duration) {
	if !h.e.forget(h) {
		return
	}
	if delay > 0 {
		_ = h.msg.NakWithDelay(delay)
	} else {
		_ = h.msg.Nak()
	}
}

// refusal is the error of a reactor that refused an event for good with
// reason r.
func refusal(r reactor.Reason) error {
	switch r {
	case reactor.ReasonSealed:
		return reactor.ErrSealed
	case reactor.ReasonUnhandled:
		return fmt.Errorf("no handler subscribed (%v)", r)
	}
	return fmt.Errorf("%w (%v)", reactor.ErrTerminated, r)
}

// fail stops the export's hand-overs for good because its channel
// refuses them (the first cause is kept), and reports it.
func (e *exporter) fail(cause error) {
	e.mu.Lock()
	if e.stopped {
		e.mu.Unlock()
		return
	}
	e.stopped = true
	e.err = fmt.Errorf("%w: %s: %w", ErrExportStopped, e.t.name, cause)
	err := e.err
	e.mu.Unlock()
	e.t.in.ReportError(err)
	select {
	case e.poke <- struct{}{}:
	default:
	}
}

// consumeErr reports the consumer's errors (missed heartbeats while a
// server restarts, a deleted consumer) on the node's notices.
func (e *exporter) consumeErr(_ jetstream.ConsumeContext, err error) {
	e.t.in.ReportError(fmt.Errorf("durable: export %s: %w", e.t.name, err))
}

// keep extends the AckWait of the events the channel holds and forgets
// the acknowledgements JetStream has recorded, every AckWait/4, until the
// export stops; after a failure it stops consuming.
func (e *exporter) keep() {
	defer e.kept.Done()
	tick := time.NewTicker(max(e.ackWait/4, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-e.stopping:
			return
		case <-e.poke:
			e.cc.Drain() // what it holds goes back (e.stopped is set)
		case <-tick.C:
			e.extend()
			e.prune()
		}
	}
}

// extend tells JetStream that the events held for half an AckWait or
// more are in progress, which starts their AckWait over.
func (e *exporter) extend() {
	now := time.Now()
	var msgs []jetstream.Msg
	e.mu.Lock()
	for _, h := range e.held {
		if now.Sub(h.reset) >= e.ackWait/2 {
			h.reset = now
			msgs = append(msgs, h.msg)
		}
	}
	e.mu.Unlock()
	for _, m := range msgs {
		_ = m.InProgress()
	}
}

// prune forgets the acknowledgements below the consumer's ack floor:
// JetStream never delivers those events again.
func (e *exporter) prune() {
	e.mu.Lock()
	empty := len(e.acked) == 0
	e.mu.Unlock()
	if empty {
		return
	}
	ctx, cancel := context.WithTimeout(e.ctx, attemptLimit)
	defer cancel()
	info, err := e.cons.Info(ctx)
	if err != nil {
		return // next time
	}
	e.mu.Lock()
	e.acked.dropThrough(info.AckFloor.Stream)
	e.mu.Unlock()
}

// stop stops the export (see [Exported.Close]) within ctx.
func (e *exporter) stop(ctx context.Context) (err error) {
	e.once.Do(func() {
		e.mu.Lock()
		e.stopped = true
		e.mu.Unlock()
		e.cancel()
		if e.t.nc.IsConnected() {
			e.cc.Drain() // what the client holds is given back at once
			select {
			case <-e.cc.Closed():
			case <-ctx.Done():
				e.cc.Stop()
				err = context.Cause(ctx)
			}
		} else {
			e.cc.Stop() // a drain would wait for the server: what the client holds comes back after AckWait
		}
		close(e.stopping)
		e.kept.Wait()
		e.removeCloser()
		e.t.in.Release(claimOf(e.t.name))
	})
	return err
}
