package backpressure

import (
	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// Pump is the receiving side of a backpressure link, owned by one reactor: a
// connector for [Packet] messages and a buffer of at most the policy's window
// of events, returning credits to its valve as events are taken out
// ([Pump.Dequeue], or [Pump.Events]): under [Sliding] one [Credit] message
// per event taken, under [Batching] one per turn of the owning reactor in
// which events were taken, sent on its Preempted lifecycle event.
//
// A pump serves one valve: the first Hello packet names the channel
// credits go to. A repeated Hello from the same channel is answered
// again; one from another channel is dead-lettered (ReasonUnhandled).
// An event that finds the buffer full came from a sender that ignored
// its credit: it is dead-lettered with ReasonOverflow and counted in
// [Pump.Overflows], and the buffer stays within the window.
//
// Owner only: create it and call its methods from the owning reactor's
// constructor or handlers; [Pump.Channel] may be used anywhere.
type Pump[T any] struct {
	o       reactor.Owner
	conn    *reactor.Connector[Packet[T]]
	buf     *CreditBuffer[T]
	credits reactor.Channel[Credit] // zero until the Hello
	avail   *events.Signal[bool]
	out     events.Emitter[T]
	subs    events.Subscription
	over    uint64
	drain   bool // Events' subscribers are being fed
}

// NewPump opens a connector on o (configured by opts: [reactor.Named],
// [reactor.Daemon], ...) and returns a pump with policy p reading from it;
// hand [Pump.Channel] to the sender's [NewValve] or [NewBlockingValve]. Like any
// connector, it keeps o alive until sealed, unless it is a daemon.
// Cost: the buffer's window of slots, one connector, no goroutine.
// Errors are Open's. It panics on the zero [Policy].
func NewPump[T any](o reactor.Owner, p Policy, opts ...reactor.ConnOption) (*Pump[T], error) {
	buf := NewCreditBuffer[T](p)
	conn, err := reactor.Open[Packet[T]](o, opts...)
	if err != nil {
		return nil, err
	}
	pm := &Pump[T]{o: o, conn: conn, buf: buf, avail: events.NewSignal(false)}
	data := conn.Events().OnEventOrDone(pm.receive, pm.closed)
	if !p.batched {
		pm.subs = data
		return pm, nil
	}
	turns := o.Lifecycle().OnEvent(func(l reactor.Lifecycle) {
		if l.Phase == reactor.Preempted {
			pm.grant(true)
		}
	})
	pm.subs = events.Composite(data, turns)
	return pm, nil
}

// Channel returns the channel valves send packets to.
func (p *Pump[T]) Channel() reactor.Channel[Packet[T]] { return p.conn.Channel() }

// Policy returns the pump's policy.
func (p *Pump[T]) Policy() Policy { return p.buf.Policy() }

// Len returns the number of buffered events, at most the window.
func (p *Pump[T]) Len() int { return p.buf.Len() }

// Consumed returns the number of events taken out of the buffer.
func (p *Pump[T]) Consumed() uint64 { return p.buf.Consumed() }

// Overflows returns the number of events refused because the buffer was
// full (always 0 with a valve that obeys its credits).
func (p *Pump[T]) Overflows() uint64 { return p.over }

// Available returns a signal that holds whether the buffer has an event
// to [Pump.Dequeue]; it changes when the buffer turns non-empty or empty.
func (p *Pump[T]) Available() *events.Signal[bool] { return p.avail }

// Dequeue takes the oldest buffered event, and false if there is none.
// Under [Sliding] the event's credit goes back to the valve at once.
func (p *Pump[T]) Dequeue() (T, bool) {
	v, ok := p.buf.Pop()
	if ok {
		p.taken()
	}
	return v, ok
}

// Events returns a stream that, while it has subscribers, takes every
// event out of the buffer as it arrives (and the ones already buffered,
// at the next arrival) and emits it; under [Sliding] the credit goes back
// after the subscribers have handled the event. It completes when the
// pump's connector is sealed. Use [Pump.Dequeue] instead to consume at a pace of
// your own.
func (p *Pump[T]) Events() events.Events[T] { return p.out.Events() }

// Seal closes the pump's connector: later packets are refused
// ([reactor.ErrSealed]) and the [Pump.Events] stream completes. Buffered events
// can still be dequeued. It reports whether the connector was open.
func (p *Pump[T]) Seal() bool {
	open := p.conn.Seal()
	p.closed()
	return open
}

func (p *Pump[T]) receive(pk Packet[T]) {
	if pk.IsHello() {
		p.hello(pk)
		return
	}
	if !p.buf.Push(pk.Value) {
		p.over++
		p.o.System().DeadLetter(p.conn.Channel().Name(), reactor.ReasonOverflow, pk.Value)
		return
	}
	if p.buf.Len() == 1 {
		p.avail.Set(true)
	}
	p.feed()
}

func (p *Pump[T]) hello(pk Packet[T]) {
	switch p.credits {
	case reactor.Channel[Credit]{}:
		p.credits = pk.Hello
	case pk.Hello:
	default:
		p.o.System().DeadLetter(p.conn.Channel().Name(), reactor.ReasonUnhandled, pk)
		return
	}
	_ = p.credits.Send(p.buf.Hello()) // a valve that is gone needs no credit
}

// feed hands the buffered events to the subscribers of [Pump.Events].
func (p *Pump[T]) feed() {
	if p.drain {
		return // an event that arrives re-entrantly is fed by the loop below
	}
	p.drain = true
	for p.out.HasSubscribers() {
		v, ok := p.buf.Pop()
		if !ok {
			break
		}
		if p.buf.Len() == 0 {
			p.avail.Set(false)
		}
		p.out.Emit(v)
		p.grant(false)
	}
	p.drain = false
}

// taken updates the signal and returns credit after an event left the
// buffer.
func (p *Pump[T]) taken() {
	if p.buf.Len() == 0 {
		p.avail.Set(false)
	}
	p.grant(false)
}

func (p *Pump[T]) grant(endOfTurn bool) {
	if p.credits == (reactor.Channel[Credit]{}) {
		return // the Hello's answer will cover what was consumed so far
	}
	if c, ok := p.buf.Due(endOfTurn); ok {
		_ = p.credits.Send(c)
	}
}

func (p *Pump[T]) closed() {
	if p.subs != nil {
		p.subs.Unsubscribe()
	}
	p.out.Close()
}
