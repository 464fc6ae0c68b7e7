package reliable

import (
	"errors"
	"fmt"
	"time"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// Sender is the sending end of a reliable link: values sent on it reach the
// receiving end ([Serve]) in order, exactly once, over a transport that may
// drop, duplicate and reorder frames and acknowledgements. It is the
// reactor shell of a [SendWindow]: the frames go to the transport, the
// acknowledgements come back on [Sender.Acks], and a timer of the owner
// ([reactor.Periodic], running only while frames are in flight) resends what
// is not acknowledged. Reactors.IO's reliable channels assume a transport
// that never drops; this one does not.
//
// Closing: the sending end closes its own connectors ([Sender.Close]); the
// receiving end closes its own ([Receiver.Close]). Neither tells the
// other: close the sender once [Sender.Unacked] is 0, or values still in flight
// are lost. If the transport refuses a frame with [reactor.ErrSealed],
// ErrTerminated or ErrNilChannel (the receiving end is gone), the link
// closes itself and [Sender.Err] reports why; other refusals count as losses.
//
// A Sender belongs to its owner: call its methods, except [Sender.Channel] and
// Acks, only from the owner's constructor and handlers.
type Sender[T any] struct {
	o         reactor.Owner
	core      *SendWindow[T]
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

// Open opens the sending end of a reliable link on o, sending its frames to
// transport. It opens two connectors on o: one for the values to send
// ([Sender.Channel]; it keeps o alive until [Sender.Close]) and a daemon one
// for the acknowledgements ([Sender.Acks]), to hand to the receiving end,
// directly or through any lossy path. Owner only. Errors are
// [reactor.Open]'s. It panics on an invalid config.
//
// Cost: no goroutine; the sender's window, a timer while frames are in
// flight, and no allocation per value in the steady state beyond the
// transport's Send.
func Open[T any](o reactor.Owner, transport reactor.Channel[Frame[T]], cfg Config) (*Sender[T], error) {
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
	l := &Sender[T]{
		o: o, core: NewSendWindow[T](cfg.Window, cfg.Tolerance),
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
func (l *Sender[T]) Channel() reactor.Channel[T] { return l.in.Channel() }

// Acks returns the channel on which the link expects acknowledgements.
// Safe anywhere.
func (l *Sender[T]) Acks() reactor.Channel[Ack] { return l.acks.Channel() }

// Send sends v over the link from inside the owner, without the hop
// through [Sender.Channel]. It returns an error wrapping [ErrClosed] if the link
// is closed. Owner only.
func (l *Sender[T]) Send(v T) error {
	if l.subs == nil {
		return l.closedErr()
	}
	l.out = l.core.Send(v, l.out)
	l.flush()
	return nil
}

func (l *Sender[T]) ack(a Ack) {
	if l.subs != nil {
		l.out = l.core.Ack(a, l.out)
		l.flush()
	}
}

func (l *Sender[T]) tick(int64) {
	if l.subs != nil {
		l.out = l.core.Tick(l.out)
		l.flush()
	}
}

// flush transmits the frames the core decided on and keeps the timer
// running exactly while frames are in flight.
func (l *Sender[T]) flush() {
	for _, f := range l.out {
		if err := l.transport.Send(f); err != nil && linkGone(err) {
			l.err = fmt.Errorf("%w: transport: %w", ErrClosed, err)
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

func (l *Sender[T]) closedErr() error {
	if l.err != nil {
		return l.err
	}
	return ErrClosed
}

// Unacked returns the number of values sent and not yet acknowledged:
// in flight or buffered behind the window. Owner only.
func (l *Sender[T]) Unacked() int { return l.core.InFlight() + l.core.Buffered() }

// Err returns why the link closed itself (nil if it did not). Owner only.
func (l *Sender[T]) Err() error { return l.err }

// Close closes the sending end: it seals both connectors and stops the
// timer; values not acknowledged yet are dropped. Later Sends fail with
// [ErrClosed]. Idempotent. Owner only.
func (l *Sender[T]) Close() {
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
