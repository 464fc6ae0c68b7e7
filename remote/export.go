package remote

import (
	"errors"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go"

	"github.com/reactors-go/reactors/reactor"
)

// exportQueue is the queue group of every export: when several nodes
// export one name, each event goes to one of them, never to all
// (broadcast is never implicit).
const exportQueue = "reactors.export"

// Undecodable is the event of a dead letter with reason
// [reactor.ReasonUndecodable]: a payload that arrived for an exported name
// and that its codec could not decode.
type Undecodable struct {
	Name    string // the exported name
	Subject string // the NATS subject it arrived on
	Data    []byte // the payload (a copy)
	Err     error  // the codec's error; matches ErrDecode
}

// Exported is a channel exported under a name (see [Export]).
// [Exported.Close] stops the export.
type Exported struct {
	n    *Node
	name string
	sub  *nats.Subscription
	more []*nats.Subscription // node and broadcast subjects, with a registry
	once sync.Once
	err  error
}

// Export makes ch reachable under name by every node of the namespace:
// it subscribes once to the name's subject, decodes each payload with the
// codec ([JSON][T] by default) and sends the event into ch.
//
// Messages are handled one at a time, in arrival order, on one goroutine
// of the connection, so the per-sender FIFO of the remote side carries
// over into ch. When ch's reactor is idle, its turn runs on that goroutine
// ([reactor.Channel.SendAndRun]), which saves waking a worker for every
// message; its handlers then hold back the name's later messages while
// they run (they must not block anyway). A payload the codec cannot decode
// is dead-lettered in ch's system (the node's, for a channel of no reactor)
// with [reactor.ReasonUndecodable] and an [Undecodable] event. An event
// ch refuses is dead-lettered as a local send would be (sealed,
// terminated; ReasonOverflow for a full Fail mailbox). On a full Block
// mailbox delivery waits for room, holding back the later messages of the
// name (the connection buffers them up to nats.go's pending limits of
// 500,000 messages or 64 MB, beyond which it drops them: a slow consumer,
// reported on [Node.Notices] with the name and dead-lettered as a [Dropped]
// with [reactor.ReasonOverflow] and the count).
//
// With [WithAtLeastOnce] the export removes duplicates and acknowledges
// the events of at-least-once channels (see WithAtLeastOnce).
//
// If several nodes export one name, each event goes to one of them (a
// NATS queue group), and per-sender FIFO holds only per receiving node.
// On a node started [WithRegistry], Export also subscribes the name's node
// subject ([NodeChannel]) and broadcast subject ([Broadcast]), each with a
// plain subscription and a goroutine of its own, and adds name to the
// node's lease (written asynchronously; watchers see it as a
// [MemberUpdated] event, after the subscriptions are in place on the
// node's server); [Exported.Close] removes it again.
//
// Errors: [ErrInvalidName]; [ErrDuplicateName] if this node already exports
// name; [ErrClosed]. Export costs one NATS subscription and one goroutine
// until Close.
func Export[T any](n *Node, name string, ch reactor.Channel[T], opts ...ChannelOption[T]) (*Exported, error) {
	subj, err := n.subject(name)
	if err != nil {
		return nil, err
	}
	if ch == (reactor.Channel[T]{}) {
		return nil, fmt.Errorf("remote: export %s: %w", name, reactor.ErrNilChannel)
	}
	cfg := chanOptions(opts)
	if err := n.claim(name); err != nil {
		return nil, err
	}
	dead := "remote:" + name
	sys := deadLetterSystem(n, ch)
	handle := func(m *nats.Msg) {
		v, err := decode(cfg.codec, m.Data)
		if err != nil {
			sys.DeadLetter(dead, reactor.ReasonUndecodable, Undecodable{
				Name: name, Subject: m.Subject, Data: append([]byte(nil), m.Data...),
				Err: fmt.Errorf("%w: %w", ErrDecode, err),
			})
			return
		}
		deliver(n, sys, dead, ch, v)
	}
	if cfg.alo != nil {
		handle = (&aloReceiver{n: n, senders: map[string]*aloPeer{}}).wrap(handle)
	}
	return n.subscribeExport(name, subj, handle, true, sys)
}

// subscribeExport subscribes handle for the export or server of name,
// claimed already: to subj in the export queue group, with the node's
// pending limits, and with a registry to the node subject (and the
// broadcast subject if broadcast). It names the subscriptions in failure
// reports, with sys for their dead letters, and announces name in the
// lease. On failure it unsubscribes what it subscribed, releases name
// and returns the error as transportErr maps it.
func (n *Node) subscribeExport(name, subj string, handle nats.MsgHandler, broadcast bool, sys *reactor.System) (*Exported, error) {
	sub, err := n.nc.QueueSubscribe(subj, exportQueue, handle)
	if err == nil {
		if err = n.limitPending(sub); err != nil {
			_ = sub.Unsubscribe()
		}
	}
	var more []*nats.Subscription
	if err == nil {
		if more, err = n.subscribeMore(subj, handle, broadcast); err != nil {
			_ = sub.Unsubscribe()
		}
	}
	if err != nil {
		n.release(name)
		return nil, n.transportErr(name, err)
	}
	n.watch(sub, name, sys)
	for _, m := range more {
		n.watch(m, name, sys)
	}
	if n.reg != nil {
		n.reg.announce(name, true)
	}
	return &Exported{n: n, name: name, sub: sub, more: more}, nil
}

// deliver sends v into ch, dead-lettering what the runtime does not. An
// idle reactor's turn runs here (see [Export]).
func deliver[T any](n *Node, sys *reactor.System, dead string, ch reactor.Channel[T], v T) {
	err := ch.SendAndRun(n.ctx, v)
	switch {
	case err == nil:
	case errors.Is(err, reactor.ErrFull):
		sys.DeadLetter(dead, reactor.ReasonOverflow, v)
	case n.ctx.Err() != nil:
		sys.DeadLetter(dead, reactor.ReasonShutdown, v)
	}
	// ErrSealed, ErrTerminated: the runtime dead-lettered v.
}

// deadLetterSystem is the system that hears of ch's dead letters: ch's
// own, or the node's for a channel that belongs to no reactor (a router).
func deadLetterSystem[T any](n *Node, ch reactor.Channel[T]) *reactor.System {
	if s := ch.System(); s != nil {
		return s
	}
	return n.sys
}

// Name returns the exported name.
func (e *Exported) Name() string { return e.name }

// Close stops the export: it unsubscribes, so no new message is handed to
// the channel once Close returns, except the one being handed over at that
// moment; messages the connection had received but not yet handed over
// are dropped. Messages the connection dropped as a slow consumer and had
// not reported yet are reported first ([Node.Notices], dead letters). The
// name can then be exported again. Close is idempotent;
// it returns the unsubscribe error of the first call, if any.
func (e *Exported) Close() error {
	e.once.Do(func() {
		e.n.flushDrops(e.sub)
		if err := e.sub.Unsubscribe(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) &&
			!errors.Is(err, nats.ErrBadSubscription) && !errors.Is(err, nats.ErrConnectionDraining) {
			e.err = e.n.transportErr(e.name, err)
		}
		for _, s := range e.more {
			e.n.flushDrops(s)
			_ = s.Unsubscribe()
		}
		if e.n.reg != nil {
			e.n.reg.announce(e.name, false)
		}
		e.n.release(e.name)
	})
	return e.err
}
