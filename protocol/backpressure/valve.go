package backpressure

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// Valve is the sending side of a backpressure link, owned by one reactor:
// it sends events to a [Pump] as long as it holds credit, and refuses them
// with [ErrNoCredit] otherwise, so that the sender never has more than the
// pump's window of events sent and not yet consumed. Credits arrive on a
// connector of the owning reactor; [Valve.Available] tells a producer when it may
// send again, without blocking.
//
// A valve starts with no credit: [NewValve] sends the pump a Hello packet,
// and the pump's answer grants the first window.
//
// Owner only: create it and call its methods from the owning reactor's
// constructor or handlers.
type Valve[T any] struct {
	pump   reactor.Channel[Packet[T]]
	conn   *reactor.Connector[Credit]
	core   Credits
	avail  *events.Signal[bool]
	sub    events.Subscription
	closed bool
}

// NewValve opens a connector on o for credits (configured by opts) and
// links it to the pump behind the channel pump. The connector keeps o
// alive until [Valve.Close], unless opts make it a daemon. Cost: one connector,
// no goroutine. Errors are Open's, or pump's Send's for the Hello (the
// connector is then sealed again).
func NewValve[T any](o reactor.Owner, pump reactor.Channel[Packet[T]], opts ...reactor.ConnOption) (*Valve[T], error) {
	conn, err := reactor.Open[Credit](o, opts...)
	if err != nil {
		return nil, err
	}
	v := &Valve[T]{pump: pump, conn: conn, avail: events.NewSignal(false)}
	v.sub = conn.Events().OnEvent(v.grant)
	if err := pump.Send(Packet[T]{Hello: conn.Channel()}); err != nil {
		v.Close()
		return nil, fmt.Errorf("backpressure: valve: opening the link: %w", err)
	}
	return v, nil
}

// Send sends v to the pump using one credit. Without credit it returns
// [ErrNoCredit] and v is not sent. Errors of the pump's channel
// ([reactor.ErrSealed], [reactor.ErrTerminated], ...) are returned wrapped;
// the credit is then spent. After [Valve.Close] it returns an error wrapping
// reactor.ErrSealed.
func (v *Valve[T]) Send(x T) error {
	if v.closed {
		return fmt.Errorf("backpressure: valve closed: %w", reactor.ErrSealed)
	}
	if !v.core.Take() {
		return ErrNoCredit
	}
	if v.core.Available() == 0 {
		v.avail.Set(false)
	}
	if err := v.pump.Send(Packet[T]{Value: x}); err != nil {
		return fmt.Errorf("backpressure: valve: %w", err)
	}
	return nil
}

// Available returns a signal that holds whether [Valve.Send] has credit: it
// turns true when credit arrives and false when the last credit is used.
// Subscribe to its Changes to produce when it turns true.
func (v *Valve[T]) Available() *events.Signal[bool] { return v.avail }

// Credit returns the number of events that may be sent now.
func (v *Valve[T]) Credit() int { return v.core.Available() }

// Sent returns the number of events sent.
func (v *Valve[T]) Sent() uint64 { return v.core.Sent() }

// Close seals the valve's credit connector and completes [Valve.Available]'s
// changes; later Sends fail. The pump is not told: close it on its side.
func (v *Valve[T]) Close() {
	if v.closed {
		return
	}
	v.closed = true
	v.sub.Unsubscribe()
	v.conn.Seal()
	v.avail.Set(false)
	v.avail.Unsubscribe()
}

func (v *Valve[T]) grant(c Credit) {
	was := v.core.Available()
	if v.core.Grant(c) && was == 0 && !v.closed {
		v.avail.Set(true)
	}
}

// BlockingValve is a valve for plain goroutines: [BlockingValve.Offer] waits
// for credit. Credits reach it through a forwarding channel
// ([reactor.ChannelOf]), so it needs no reactor and starts no goroutine.
//
// All methods are safe for concurrent use. Events of concurrent senders
// reach the pump in the order they took their credits. A BlockingValve
// must not be copied.
type BlockingValve[T any] struct {
	pump reactor.Channel[Packet[T]]
	mu   sync.Mutex
	core Credits       // guarded by mu
	wake chan struct{} // guarded by mu; closed and replaced when credit arrives
	shut bool          // guarded by mu
}

// NewBlockingValve links a new blocking valve to the pump behind pump,
// sending the Hello packet. Errors are pump's Send's.
func NewBlockingValve[T any](pump reactor.Channel[Packet[T]]) (*BlockingValve[T], error) {
	b := &BlockingValve[T]{pump: pump, wake: make(chan struct{})}
	credits := reactor.ChannelOf[Credit](creditInbox[T]{b})
	if err := pump.Send(Packet[T]{Hello: credits}); err != nil {
		return nil, fmt.Errorf("backpressure: valve: opening the link: %w", err)
	}
	return b, nil
}

// Send is [Valve.Send]: it never waits, and returns [ErrNoCredit] without
// credit.
func (b *BlockingValve[T]) Send(x T) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sendLocked(x)
}

// Offer sends x, waiting until the valve has credit or ctx is done. It blocks
// only on the arrival of credit (a [Credit] from the pump) or
// [BlockingValve.Close]; when ctx ends first it returns ctx.Err() and x is
// not sent, and nothing is left behind. Other errors are
// [BlockingValve.Send]'s. Inside a reactor, where nothing may block, a send
// that would wait returns an error matching [reactor.ErrInsideReactor]
// instead (use [Valve] there).
func (b *BlockingValve[T]) Offer(ctx context.Context, x T) error {
	for {
		b.mu.Lock()
		err := b.sendLocked(x)
		wake := b.wake
		b.mu.Unlock()
		if errors.Is(err, ErrNoCredit) && reactor.Inside() {
			return fmt.Errorf("backpressure: valve offer: %w", reactor.ErrInsideReactor)
		}
		if !errors.Is(err, ErrNoCredit) {
			return err
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Credit returns the number of events that may be sent now.
func (b *BlockingValve[T]) Credit() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.core.Available()
}

// Sent returns the number of events sent.
func (b *BlockingValve[T]) Sent() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.core.Sent()
}

// Close makes later sends fail with an error wrapping [reactor.ErrSealed],
// wakes the goroutines waiting in [BlockingValve.Offer], and makes the valve
// refuse credits. The pump is not told.
func (b *BlockingValve[T]) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.shut {
		b.shut = true
		close(b.wake)
	}
}

// sendLocked sends x if there is credit; the pump's Send runs under mu so
// that events leave in the order of their credits.
func (b *BlockingValve[T]) sendLocked(x T) error {
	if b.shut {
		return fmt.Errorf("backpressure: valve closed: %w", reactor.ErrSealed)
	}
	if !b.core.Take() {
		return ErrNoCredit
	}
	if err := b.pump.Send(Packet[T]{Value: x}); err != nil {
		return fmt.Errorf("backpressure: valve: %w", err)
	}
	return nil
}

// creditInbox receives a blocking valve's credits (a [reactor.Sender]).
type creditInbox[T any] struct{ b *BlockingValve[T] }

func (c creditInbox[T]) Send(cr Credit) error {
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.shut {
		return fmt.Errorf("backpressure: valve closed: %w", reactor.ErrSealed)
	}
	if b.core.Grant(cr) {
		close(b.wake)
		b.wake = make(chan struct{})
	}
	return nil
}

func (c creditInbox[T]) Name() string { return c.b.pump.Name() + "/credits" }
