package reactor

import "fmt"

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
	numReasons
)

var reasonNames = [numReasons]string{"sealed", "terminated", "overflow", "unhandled", "shutdown", "no-route", "undecodable"}

func (r Reason) String() string {
	if r < numReasons {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// DeadLetter is an event that could not be delivered. Event holds the
// event's value as sent (the only untyped value of the API: dead letters of
// every channel share one stream).
type DeadLetter struct {
	Channel string // "reactor#channel" of the target
	Reason  Reason
	Event   any
}
