package protocol

import (
	"errors"
	"fmt"
	"time"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// ReliableConfig configures both ends of a reliable link; the zero value
// gives the defaults. Both ends must use the same Window.
type ReliableConfig struct {
	// Window is the most frames in flight, unacknowledged, and the size
	// of the receiver's reorder buffer. Default 1024.
	Window int
	// Retransmit is the period of the sender's retransmission timer: a
	// period without acknowledgement progress resends every frame in
	// flight. Default 10ms.
	Retransmit time.Duration
	// Tolerance is how far, in transmissions, a frame may be overtaken
	// before a hole reported by the receiver is resent without waiting
	// for the timer (see ReliableSender). Default 8.
	Tolerance int
}

func (c ReliableConfig) withDefaults() ReliableConfig {
	if c.Window == 0 {
		c.Window = 1024
	}
	if c.Retransmit == 0 {
		c.Retransmit = 10 * time.Millisecond
	}
	if c.Tolerance == 0 {
		c.Tolerance = 8
	}
	if c.Window < 1 || c.Retransmit < 0 || c.Tolerance < 0 {
		panic("protocol: ReliableConfig: negative window, period or tolerance")
	}
	return c
}

// Reliable is the sending end of a reliable link: values sent on it reach
// the receiving end (ServeReliable) in order, exactly once, over a
// transport that may drop, duplicate and reorder frames and
// acknowledgements. It is the reactor shell of a ReliableSender: the
// frames go to the transport, the acknowledgements come back on Acks, and
// a timer of the owner (reactor.Periodic, running only while frames are
// in flight) resends what is not acknowledged. Reactors.IO's reliable
// channels assume a transport that never drops; this one does not.
//
// Closing: the sending end closes its own connectors (Close); the
// receiving end closes its own (ReliableLink.Close). Neither tells the
// other: close the sender once Unacked is 0, or values still in flight
// are lost. If the transport refuses a frame with reactor.ErrSealed,
// ErrTerminated or ErrNilChannel (the receiving end is gone), the link
// closes itself and Err reports why; other refusals count as losses.
//
// A Reliable belongs to its owner: call its methods, except Channel and
// Acks, only from the owner's constructor and handlers.
type Reliable[T any] struct {
	o         reactor.Owner
	core      *ReliableSender[T]
	transport reactor.Channel[Frame[T]]
	in        *reactor.Connector[T]
	acks      *reactor.Connector[Ack]
	every     time.Duration
	timer     events.Subscription
	tickObs   events.Funcs[int64]
	subs      events.Subscription
	out       []Frame[T]
	err       error
}

// OpenReliable opens the sending end of a reliable link on o, sending its
// frames to transport. It opens two connectors on o: one for the values
// to send (Channel; it keeps o alive until Close) and a daemon one for
// the acknowledgements (Acks), to hand to the receiving end, directly or
// through any lossy path. Owner only. Errors are reactor.Open's. It
// panics on an invalid config.
//
// Cost: no goroutine; the sender's window, a timer while frames are in
// flight, and no allocation per value in the steady state beyond the
// transport's Send.
func OpenReliable[T any](o reactor.Owner, transport reactor.Channel[Frame[T]], cfg ReliableConfig) (*Reliable[T], error) {
	cfg = cfg.withDefaults()
	in, err := reactor.Open[T](o)
	if err != nil {
		return nil, err
	}
	acks, err := reactor.Open[Ack](o, reactor.Daemon())
	if err != nil {
		in.Seal()
		return nil, err
	}
	l := &Reliable[T]{
		o: o, core: NewReliableSender[T](cfg.Window, cfg.Tolerance),
		transport: transport, in: in, acks: acks, every: cfg.Retransmit,
	}
	l.tickObs.Event = l.tick
	l.tickObs.Error = func(error) {} // o is terminating
	l.subs = events.Composite(
		in.Events().OnEvent(func(v T) { _ = l.Send(v) }),
		acks.Events().OnEvent(l.ack),
	)
	return l, nil
}

// Channel returns the channel whose values the link sends, in the order
// it receives them (per-sender FIFO of the channel). Safe anywhere.
func (l *Reliable[T]) Channel() reactor.Channel[T] { return l.in.Channel() }

// Acks returns the channel on which the link expects acknowledgements.
// Safe anywhere.
func (l *Reliable[T]) Acks() reactor.Channel[Ack] { return l.acks.Channel() }

// Send sends v over the link from inside the owner, without the hop
// through Channel. It returns an error wrapping ErrLinkClosed if the link
// is closed. Owner only.
func (l *Reliable[T]) Send(v T) error {
	if l.subs == nil {
		return l.closedErr()
	}
	l.out = l.core.Send(v, l.out)
	l.flush()
	return nil
}

func (l *Reliable[T]) ack(a Ack) {
	if l.subs != nil {
		l.out = l.core.Ack(a, l.out)
		l.flush()
	}
}

func (l *Reliable[T]) tick(int64) {
	if l.subs != nil {
		l.out = l.core.Tick(l.out)
		l.flush()
	}
}

// flush transmits the frames the core decided on and keeps the timer
// running exactly while frames are in flight.
func (l *Reliable[T]) flush() {
	for _, f := range l.out {
		if err := l.transport.Send(f); err != nil && linkGone(err) {
			l.err = fmt.Errorf("%w: transport: %w", ErrLinkClosed, err)
			break
		}
	}
	clear(l.out)
	l.out = l.out[:0]
	if l.err != nil {
		l.Close()
		return
	}
	switch busy := l.core.InFlight() > 0; {
	case busy && l.timer == nil:
		l.timer = reactor.Periodic(l.o, l.every).Subscribe(&l.tickObs)
	case !busy && l.timer != nil:
		l.timer.Unsubscribe()
		l.timer = nil
	}
}

func linkGone(err error) bool {
	return errors.Is(err, reactor.ErrSealed) || errors.Is(err, reactor.ErrTerminated) ||
		errors.Is(err, reactor.ErrNilChannel)
}

func (l *Reliable[T]) closedErr() error {
	if l.err != nil {
		return l.err
	}
	return ErrLinkClosed
}

// Unacked returns the number of values sent and not yet acknowledged:
// in flight or buffered behind the window. Owner only.
func (l *Reliable[T]) Unacked() int { return l.core.InFlight() + l.core.Buffered() }

// Err returns why the link closed itself (nil if it did not). Owner only.
func (l *Reliable[T]) Err() error { return l.err }

// Close closes the sending end: it seals both connectors and stops the
// timer; values not acknowledged yet are dropped. Later Sends fail with
// ErrLinkClosed. Idempotent. Owner only.
func (l *Reliable[T]) Close() {
	if l.subs == nil {
		return
	}
	l.subs.Unsubscribe()
	l.subs = nil
	if l.timer != nil {
		l.timer.Unsubscribe()
		l.timer = nil
	}
	l.in.Seal()
	l.acks.Seal()
}

// ReliableLink is the receiving end of a reliable link (ServeReliable):
// Events emits the link's values in order, exactly once each.
type ReliableLink[T any] struct {
	core  *ReliableReceiver[T]
	conn  *reactor.Connector[Frame[T]]
	acks  reactor.Channel[Ack]
	em    events.Emitter[T]
	subs  events.Subscription
	ready []T
}

// ServeReliable installs the receiving end of a reliable link on conn, a
// connector of o that carries the link's frames (Reactors.IO's install
// form: open it with reactor.Open, or use a reactor's main connector),
// and sends its acknowledgements to acks, the sending end's Acks or a
// path to it. The acknowledgements are batched per turn of o: one, for
// every frame the turn received, is sent when the turn ends (o's
// Preempted lifecycle event). Only cfg.Window matters here. Owner only;
// the link must have conn to itself.
//
// Cost: no goroutine; the reorder buffer (Window values); one
// acknowledgement per turn that received frames, which allocates only
// while holes are open.
func ServeReliable[T any](o reactor.Owner, conn *reactor.Connector[Frame[T]], acks reactor.Channel[Ack], cfg ReliableConfig) *ReliableLink[T] {
	cfg = cfg.withDefaults()
	k := &ReliableLink[T]{core: NewReliableReceiver[T](cfg.Window), conn: conn, acks: acks}
	k.subs = events.Composite(
		conn.Events().OnEventOrDone(k.receive, k.em.Close),
		o.Lifecycle().OnEvent(func(lc reactor.Lifecycle) {
			if lc.Phase == reactor.Preempted {
				if a, ok := k.core.Ack(); ok {
					_ = k.acks.Send(a) // a lost acknowledgement is made up for by the next one
				}
			}
		}),
	)
	return k
}

func (k *ReliableLink[T]) receive(f Frame[T]) {
	k.ready = k.core.Receive(f, k.ready)
	for _, v := range k.ready {
		k.em.Emit(v)
	}
	clear(k.ready)
	k.ready = k.ready[:0]
}

// Events returns the stream of the link's values, in order. It completes
// when the link closes. Owner only.
func (k *ReliableLink[T]) Events() events.Events[T] { return k.em.Events() }

// Delivered returns how many values the link has delivered. Owner only.
func (k *ReliableLink[T]) Delivered() uint64 { return k.core.Delivered() }

// Close closes the receiving end: it stops acknowledging, seals conn and
// completes Events. Idempotent. Owner only.
func (k *ReliableLink[T]) Close() {
	if k.subs == nil {
		return
	}
	k.subs.Unsubscribe()
	k.subs = nil
	k.conn.Seal()
	k.em.Close()
}
