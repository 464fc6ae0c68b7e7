package remote

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/reactors-go/reactors/reactor"
)

// Headers of at-least-once events. The sender is named by its reply
// subject, its acknowledgement inbox (unique per channel).
const (
	hdrSeq  = "Reactors-Seq"  // the event's sequence number, from 1
	hdrBase = "Reactors-Base" // the sender's lowest unacknowledged sequence number
)

// Defaults of [AtLeastOnce].
const (
	DefaultWindow = 1024
	DefaultRetry  = 200 * time.Millisecond
)

// ackEvery bounds how many events an exporter takes from one sender
// before it acknowledges them, when more are already waiting.
const ackEvery = 64

// AtLeastOnce configures the at-least-once mode of a remote channel (see
// [WithAtLeastOnce]). Its zero value is the defaults.
type AtLeastOnce struct {
	// Window is how many events a channel may have sent and not yet
	// acknowledged (default [DefaultWindow]). Memory: up to Window encoded
	// events per channel.
	Window int
	// Block is how long Send waits for room in a full window before it
	// fails with [ErrWindowFull]. Zero: Send never waits, which is the only
	// safe setting for sends from reactor handlers.
	Block time.Duration
	// Retry is the retransmission timer (default [DefaultRetry]): when no
	// acknowledgement has advanced for a whole Retry, every unacknowledged
	// event is sent again, in order. It should exceed the time the
	// exporter's channel takes for 64 events, or a busy exporter gets
	// duplicates (harmless but wasted: it drops them).
	Retry time.Duration
}

// WithAtLeastOnce makes a remote channel or an export at-least-once;
// both ends of a name must have it. The sending side ([Channel]) keeps
// each event in a window of cfg.Window events until the exporter
// acknowledges it, and sends the unacknowledged ones again, in order,
// when no acknowledgement came for cfg.Retry and when the connection
// comes back. The receiving side ([Export]) hands each event to the
// channel once and in order, drops duplicates, and acknowledges at the
// latest after 64 events of a sender. docs/design.md describes the
// protocol (sequence numbers, cumulative acknowledgements, gaps).
//
// Guarantee: as long as the sending node runs, every event whose Send
// returned nil reaches the exporter's channel exactly once, in the order
// of its channel's Sends, across disconnections and restarts of the NATS
// server (core NATS with acknowledgements: the sender keeps what the
// server may lose). "Reaches" means handed to the channel as Export does:
// an event the channel refuses or that does not decode is dead-lettered
// there and counts as delivered. Events are lost only with the sending
// process, or with the sending node's [Node.Close] (Close does not wait for
// acknowledgements: the events still unacknowledged then are
// dead-lettered on the node's system as [Unacknowledged], with
// [reactor.ReasonShutdown]), or when Send failed. An export that restarts (a new
// process) takes up each sender at its lowest unacknowledged event, so
// events the old exporter had taken but not acknowledged come again.
//
// Costs: per channel, one subscription for acknowledgements and one
// goroutine (the timer) until the node closes, and the window's encoded
// events; per event, three headers (about 60 bytes) and one
// acknowledgement message per batch. Per export, a few dozen bytes per
// sender ever seen (never forgotten while the export lives). Only one
// node may export an at-least-once name: with several, a sender's events
// are split between them and none sees its sequence whole.
func WithAtLeastOnce[T any](cfg AtLeastOnce) ChannelOption[T] {
	return func(c *chanConfig[T]) {
		if cfg.Window <= 0 {
			cfg.Window = DefaultWindow
		}
		if cfg.Retry <= 0 {
			cfg.Retry = DefaultRetry
		}
		c.alo = &cfg
	}
}

// aloSender is the at-least-once state of one remote channel.
type aloSender struct {
	n       *Node
	name    string
	subject string
	inbox   string // the channel's id and acknowledgement subject
	cfg     AtLeastOnce
	sub     *nats.Subscription
	wake    chan struct{} // resend now (reconnection)

	mu       sync.Mutex
	base     uint64        // lowest unacknowledged sequence number
	next     uint64        // next sequence number to give
	buf      [][]byte      // payloads of base..next-1
	room     chan struct{} // closed when acknowledgements make room
	progress bool          // an acknowledgement advanced base since the last tick
	fast     bool          // resent on a repeated acknowledgement since base last advanced
}

func newALOSender(n *Node, name, subject string, cfg AtLeastOnce) (*aloSender, error) {
	s := &aloSender{n: n, name: name, subject: subject, inbox: nats.NewInbox(),
		cfg: cfg, wake: make(chan struct{}, 1), base: 1, next: 1, room: make(chan struct{})}
	sub, err := n.nc.Subscribe(s.inbox, s.onAck)
	if err != nil {
		return nil, n.transportErr(name, err)
	}
	s.sub = sub
	n.mu.Lock() // Close waits for the timers once closing is set
	if n.closing {
		n.mu.Unlock()
		_ = sub.Unsubscribe()
		return nil, fmt.Errorf("%w: %s", ErrClosed, name)
	}
	f := &n.fail
	f.mu.Lock()
	f.resend = append(f.resend, s.wake)
	f.senders = append(f.senders, s)
	f.mu.Unlock()
	f.wg.Add(1)
	n.mu.Unlock()
	go s.run()
	return s, nil
}

// Unacknowledged is the event of a dead letter with reason
// [reactor.ReasonShutdown] on the node's system: an event of an
// at-least-once channel that was not acknowledged when its node closed.
// It may or may not have reached the exporter (its acknowledgement may
// have been in flight).
type Unacknowledged struct {
	Name string // the remote name sent to
	Seq  uint64 // its sequence number in its channel
	Data []byte // the encoded event
}

// run is the retransmission timer, until the node closes; then it
// dead-letters what was not acknowledged.
func (s *aloSender) run() {
	defer s.n.fail.wg.Done()
	defer s.abandon()
	t := time.NewTicker(s.cfg.Retry)
	defer t.Stop()
	for {
		select {
		case <-s.n.closed:
			return
		case <-s.n.ctx.Done():
			return
		case <-s.wake:
			s.resend(true)
		case <-t.C:
			s.resend(false)
		}
	}
}

// resend sends every unacknowledged event again, unless an
// acknowledgement advanced since the last tick (and !now).
func (s *aloSender) resend(now bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	stalled := !s.progress
	s.progress = false
	if len(s.buf) == 0 || (!now && !stalled) || !s.n.nc.IsConnected() {
		return
	}
	for i, data := range s.buf {
		if err := s.publish(s.base+uint64(i), data); err != nil {
			return
		}
	}
}

// abandon dead-letters the unacknowledged events (the node closed).
func (s *aloSender) abandon() {
	s.mu.Lock()
	buf, base := s.buf, s.base
	s.buf, s.base = nil, s.next
	s.mu.Unlock()
	for i, data := range buf {
		s.n.sys.DeadLetter("remote:"+s.name, reactor.ReasonShutdown, Unacknowledged{Name: s.name, Seq: base + uint64(i), Data: data})
	}
}

// publish sends the event of sequence number seq; s.mu is held.
func (s *aloSender) publish(seq uint64, data []byte) error {
	m := &nats.Msg{Subject: s.subject, Reply: s.inbox, Data: data, Header: nats.Header{
		hdrSeq:  {strconv.FormatUint(seq, 10)},
		hdrBase: {strconv.FormatUint(s.base, 10)},
	}}
	return s.n.nc.PublishMsg(m)
}

// onAck takes an acknowledgement: every event up to its sequence number
// has been handed over.
func (s *aloSender) onAck(m *nats.Msg) {
	seq, err := strconv.ParseUint(string(m.Data), 10, 64)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq+1 == s.base && len(s.buf) > 0 && !s.fast && s.n.nc.IsConnected() {
		// The exporter says again where it stands: it has seen a gap
		// (or duplicates). Resend now, once per advance, not on the timer.
		s.fast = true
		for i, data := range s.buf {
			if s.publish(s.base+uint64(i), data) != nil {
				break
			}
		}
		return
	}
	if seq < s.base || seq >= s.next {
		return
	}
	k := int(seq - s.base + 1)
	clear(s.buf[:k])
	s.buf = s.buf[k:]
	s.base = seq + 1
	s.progress = true
	s.fast = false
	close(s.room)
	s.room = make(chan struct{})
}

// send publishes data as the next event, waiting up to cfg.Block for
// room in the window.
func (s *aloSender) send(data []byte) error {
	s.mu.Lock()
	var deadline <-chan time.Time
	for s.next-s.base >= uint64(s.cfg.Window) {
		if s.cfg.Block <= 0 {
			s.mu.Unlock()
			return fmt.Errorf("%w: %s: %d events unacknowledged", ErrWindowFull, s.name, s.cfg.Window)
		}
		if deadline == nil {
			t := time.NewTimer(s.cfg.Block)
			defer t.Stop()
			deadline = t.C
		}
		room := s.room
		s.mu.Unlock()
		select {
		case <-room:
		case <-deadline:
			return fmt.Errorf("%w: %s: %d events unacknowledged after %v", ErrWindowFull, s.name, s.cfg.Window, s.cfg.Block)
		case <-s.n.closed:
			return fmt.Errorf("%w: %s", ErrClosed, s.name)
		}
		s.mu.Lock()
	}
	defer s.mu.Unlock()
	seq := s.next
	if err := s.publish(seq, data); err != nil && refused(err) {
		// Not taken: the event is not sent and its number is given again.
		return s.n.transportErr(s.name, err)
	}
	// Taken, or lost with a failing connection (a write error, a full
	// reconnection buffer): resent until acknowledged.
	s.next++
	s.buf = append(s.buf, data)
	return nil
}

// aloReceiver removes duplicates and restores the order of at-least-once
// senders for one export. Its methods run on the export's one delivery
// goroutine.
type aloReceiver struct {
	n       *Node
	senders map[string]*aloPeer
}

type aloPeer struct {
	next    uint64 // next sequence number to hand over
	unacked int    // handed over since the last acknowledgement
	dups    int    // duplicates since the last event handed over
	gap     bool   // a gap was reported since the last event handed over
}

// wrap returns the message handler of an at-least-once export: handle is
// called once per event, in order per sender. Messages without sender
// headers are handed over as they come (at most once).
func (r *aloReceiver) wrap(handle nats.MsgHandler) nats.MsgHandler {
	return func(m *nats.Msg) {
		id := m.Reply
		seq, err1 := strconv.ParseUint(m.Header.Get(hdrSeq), 10, 64)
		base, err2 := strconv.ParseUint(m.Header.Get(hdrBase), 10, 64)
		if id == "" || err1 != nil || err2 != nil {
			handle(m)
			return
		}
		p := r.senders[id]
		if p == nil {
			p = &aloPeer{next: base}
			r.senders[id] = p
		}
		if base > p.next {
			// Acknowledged by an earlier exporter: the sender will not resend.
			p.next = base
		}
		switch {
		case seq < p.next: // duplicate: say again what was handed over, once a burst
			if p.dups++; p.dups%ackEvery == 1 {
				r.ack(m, p)
			}
			return
		case seq > p.next: // after a gap: the sender resends from the gap
			if !p.gap { // tell it at once: it resends on a repeated acknowledgement
				p.gap = true
				r.ack(m, p)
			}
			return
		}
		handle(m)
		p.dups, p.gap = 0, false
		p.next++
		p.unacked++
		// Pending counts m itself until the handler returns.
		if pending, _, _ := m.Sub.Pending(); pending <= 1 || p.unacked >= ackEvery {
			r.ack(m, p)
		}
	}
}

// ack acknowledges every event of m's sender handed over so far.
func (r *aloReceiver) ack(m *nats.Msg, p *aloPeer) {
	p.unacked = 0
	if p.next <= 1 {
		return
	}
	_ = r.n.nc.Publish(m.Reply, strconv.AppendUint(nil, p.next-1, 10))
}

// refused reports whether a publish error is final for the event (the
// connection is closing or refuses it); any other error is the transport
// failing, which retransmission overcomes.
func refused(err error) bool {
	return errors.Is(err, nats.ErrConnectionClosed) || errors.Is(err, nats.ErrConnectionDraining) ||
		errors.Is(err, nats.ErrMaxPayload) || errors.Is(err, nats.ErrBadSubject)
}
