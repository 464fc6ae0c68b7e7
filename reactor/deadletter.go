package reactor

import (
	"fmt"

	"github.com/reactors-go/reactors/events"
)

// Reason says why an event could not be delivered.
type Reason uint8

// Dead-letter reasons.
const (
	// ReasonSealed: the target connector was sealed.
	ReasonSealed Reason = iota
	// ReasonTerminated: the target reactor had terminated, or terminated with the
	// event still queued.
	ReasonTerminated
	// ReasonOverflow: a bounded mailbox dropped the event (drop-newest: the event
	// sent; drop-oldest: the event evicted).
	ReasonOverflow
	// ReasonUnhandled: the event reached a connector that nobody subscribes to.
	ReasonUnhandled
	// ReasonShutdown: the event was queued when the system shut down.
	ReasonShutdown
	// ReasonNoRoute: a router had no target for the event.
	ReasonNoRoute
	// ReasonUndecodable: a remote event could not be decoded.
	ReasonUndecodable
	// ReasonExpired: a reply arrived after its receiver stopped waiting (an
	// ask or a gather whose deadline passed or whose answer was already in).
	ReasonExpired
	// ReasonStopped: the event was queued when its reactor was stopped
	// ([Channel.Stop]), or sent after it was asked to stop (Channel.Stop,
	// [Channel.Drain]).
	ReasonStopped
	numReasons
)

var reasonNames = [numReasons]string{"sealed", "terminated", "overflow", "unhandled", "shutdown", "no-route", "undecodable", "expired", "stopped"}

func (r Reason) String() string {
	if r < numReasons {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// Undeliverable is an event that has somebody to tell when it cannot be
// delivered: a server.Request answers its asker. Whenever the runtime or a
// protocol dead-letters such an event ([System.DeadLetter]), through any
// chain of forwarding channels, [Undeliverable.Undelivered] is called with
// the channel and the reason, once per dead letter, on the goroutine
// reporting it, before the dead-letter handler; it must not block.
type Undeliverable interface {
	Undelivered(channel string, r Reason)
}

// DeadLetter is an event that could not be delivered. Event holds the
// event's value as sent (the only untyped value of the API: dead letters of
// every channel share one stream).
type DeadLetter struct {
	Channel string // "reactor#channel" of the target
	Reason  Reason
	Event   any
}

// DeadLetters returns a stream, owned by o, of every dead letter of o's
// system from the moment of subscription. The letters travel on a daemon
// connector of o (so watching does not keep o alive); dead letters of that
// connector itself are dropped rather than reported, so a slow or closed
// watcher cannot loop. Unsubscribing closes the connector. Owner only.
func DeadLetters(o Owner) events.Events[DeadLetter] {
	return events.From[DeadLetter](deadLetterSource{o: o})
}

type deadLetterSource struct{ o Owner }

func (s deadLetterSource) Subscribe(obs events.Observer[DeadLetter]) events.Subscription {
	c, err := Open[DeadLetter](s.o, Daemon())
	if err != nil {
		obs.OnError(err)
		return events.Nop()
	}
	c.extra().quiet = true
	sys := s.o.frame().sys
	ch := c.Channel()
	sys.watchDeadLetters(ch, true)
	c.extra().onClose = func() { sys.watchDeadLetters(ch, false) }
	sub := c.Events().Subscribe(obs)
	return events.Composite(sub, events.OnUnsubscribe(func() { c.Seal() }))
}
