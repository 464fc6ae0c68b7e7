package durable

import (
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/reactors-go/reactors/reactor"
)

// Delivery is an event of a durable name as [Export] hands it to its
// channel: the value and what identifies it, and the means to
// acknowledge it. The event stays in the stream until it is acknowledged
// ([Delivery.Ack]): a handler acknowledges an event once it has taken it
// (applied it, or handed it on somewhere that keeps it), as Akka's
// consumers confirm their deliveries. A Delivery is a small value; its
// copies share one acknowledgement.
type Delivery[T any] struct {
	Value T
	// ID is the event's id (see [Config.ID]), the same on every delivery
	// of the event: the key that makes a handler idempotent. It is empty
	// for a message stored without one (not sent by [Channel]).
	ID string
	// Seq is the event's sequence number in the stream.
	Seq uint64
	// Attempt counts the deliveries of the event by JetStream, from 1.
	// Above 1 the event was delivered before, to an export that did not
	// acknowledge it: it may have been handled already (see the
	// package's duplicates).
	Attempt int
	// Stored is when the stream stored the event.
	Stored time.Time

	h *held
}

// Ack acknowledges the event: JetStream removes it from the stream and
// never delivers it again. It costs one message to the server and never
// blocks, so handlers call it; it is safe from any goroutine and
// idempotent. An acknowledgement that does not reach the server (the
// connection or the process failed first) is sent again by the export if
// JetStream delivers the event again while it runs; if the export has
// ended, the event comes again to the name's next export (see the
// package's duplicates). Ack on the zero Delivery does nothing.
func (d Delivery[T]) Ack() {
	if d.h != nil {
		d.h.ack()
	}
}

// Nak gives the event back: JetStream delivers it again at once, to this
// export or another of the name, with Attempt one higher. It never
// blocks and does nothing after Ack or on the zero Delivery.
func (d Delivery[T]) Nak() {
	if d.h != nil {
		d.h.giveBack(0)
	}
}

// Undelivered is called by the runtime when the Delivery is dead-lettered
// (see [reactor.Undeliverable]): the export's channel refused it or its
// reactor ended with it queued. The event is not lost: it is given back
// to the stream, for [Config.Retry] when the refusal may pass (a full
// mailbox, a router with no route, a router's target), at once when the
// export's own reactor refuses for good (sealed, terminated, stopped,
// nobody subscribed), which also stops the export (see [Exported.Err]).
// The dead letter itself reports the refusal.
func (d Delivery[T]) Undelivered(_ string, r reactor.Reason) {
	if d.h == nil {
		return
	}
	switch r {
	case reactor.ReasonSealed, reactor.ReasonTerminated, reactor.ReasonStopped, reactor.ReasonShutdown,
		reactor.ReasonUnhandled:
		if d.h.e.direct { // the export's own reactor refuses: for good
			d.h.giveBack(0)
			d.h.e.fail(refusal(r))
			return
		}
	}
	d.h.giveBack(d.h.e.retry) // for now: full, no route, or a target behind a router
}

// held is an event that an export handed to its channel and that is
// not acknowledged yet.
type held struct {
	e     *exporter
	seq   uint64
	msg   jetstream.Msg
	reset time.Time // when JetStream's AckWait last started over: delivered, or told in progress
}
