package protocol

import (
	"fmt"

	"github.com/reactors-go/reactors/reactor"
)

// Credit-based backpressure (Reactors.IO's Backpressure protocol): a sender
// (Valve, or BlockingValve for a plain goroutine) may have at most window
// events sent and not yet consumed by the receiver (Pump); the pump buffers
// them and, as its consumer takes them, returns credit to the valve.
//
// Credits are cumulative, not deltas: a Credit says "you may have sent up
// to Limit events in all", and Limit is always the receiver's consumed
// count plus its window at the time the credit was made. The valve keeps
// the largest Limit it has seen. So a credit message that is delayed,
// reordered, duplicated or even lost never lets the sender run ahead of
// the receiver's buffer: stale credits are ignored, duplicates change
// nothing, and a later credit replaces a lost one.
//
// The accounting lives in two pure values, Credits (the sender's) and
// CreditBuffer (the receiver's): no goroutines, channels or clocks, so
// they can be driven by any transport and model-checked. Valve, Pump and
// BlockingValve are thin shells that move Packet and Credit messages.

// Policy says how big a pump's window is and when it returns credits.
// Create one with Sliding or Batching; the zero Policy is not usable.
type Policy struct {
	window  int
	batched bool
}

// Sliding returns the policy that returns one credit per consumed event,
// at once: the sender refills the window as soon as the consumer frees a
// slot. It suits events that are large or slow to process. It panics if
// window < 1.
func Sliding(window int) Policy {
	if window < 1 {
		panic("protocol: Sliding: window < 1")
	}
	return Policy{window: window}
}

// Batching returns the policy that accumulates the credits of the events
// consumed during a turn of the receiving reactor and returns them in one
// message when the turn ends (on its Preempted lifecycle event). It suits
// events that are cheap to process: one credit message per turn instead
// of one per event. It panics if window < 1.
func Batching(window int) Policy {
	if window < 1 {
		panic("protocol: Batching: window < 1")
	}
	return Policy{window: window, batched: true}
}

// Window returns the most events a sender may have in flight: sent and
// not yet consumed.
func (p Policy) Window() int { return p.window }

// Batched reports whether credits are returned once per turn (Batching)
// rather than once per event (Sliding).
func (p Policy) Batched() bool { return p.batched }

// String returns "Sliding(n)" or "Batching(n)".
func (p Policy) String() string {
	if p.batched {
		return fmt.Sprintf("Batching(%d)", p.window)
	}
	return fmt.Sprintf("Sliding(%d)", p.window)
}

// Credit is the wire message from a pump to its valve: the valve may
// have sent at most Limit events in all since the link opened. Credits
// are cumulative, so they may be delayed, reordered, duplicated or lost
// on the way without breaking the bound (a lost credit only delays the
// sender until a later one arrives).
type Credit struct {
	Limit uint64
}

// Packet is the wire message from a valve to its pump. A packet with a
// non-zero Hello opens the link: Hello is the channel the pump returns
// credits to, and Value is ignored. Every other packet carries one event,
// Value, and uses one credit.
type Packet[T any] struct {
	Hello reactor.Channel[Credit]
	Value T
}

// IsHello reports whether the packet opens a link rather than carrying an
// event.
func (p Packet[T]) IsHello() bool { return p.Hello != (reactor.Channel[Credit]{}) }

// Credits is the sender's side of the accounting, a pure value: how many
// events were sent and how many the receiver allows. The zero value is an
// account with no credit (a valve starts there and waits for the pump's
// first Credit). It is not safe for concurrent use.
//
// Invariant: Sent() <= Limit(), so Available() is never negative.
type Credits struct {
	sent  uint64
	limit uint64
}

// Available returns the number of events that may be sent now.
func (c *Credits) Available() int { return int(c.limit - c.sent) }

// Sent returns the number of events sent (credits taken).
func (c *Credits) Sent() uint64 { return c.sent }

// Limit returns the largest Limit granted so far.
func (c *Credits) Limit() uint64 { return c.limit }

// Take uses one credit for an event about to be sent. It reports false,
// and changes nothing, when no credit is left.
func (c *Credits) Take() bool {
	if c.sent >= c.limit {
		return false
	}
	c.sent++
	return true
}

// Grant applies a credit from the receiver. A credit no larger than the
// current limit (stale, reordered or duplicated) changes nothing. It
// reports whether the limit grew.
func (c *Credits) Grant(cr Credit) bool {
	if cr.Limit <= c.limit {
		return false
	}
	c.limit = cr.Limit
	return true
}

// CreditBuffer is the receiver's side of the accounting, a pure value:
// a FIFO buffer of at most the policy's window of events and the credits
// owed for the events taken out of it. It is not safe for concurrent use.
// Create one with NewCreditBuffer.
//
// Invariant: every Credit it hands out has Limit <= Consumed() + Window()
// at that moment, so a sender that obeys the credits never has more than
// Window() events sent and not consumed, and Push never finds the buffer
// full.
type CreditBuffer[T any] struct {
	policy   Policy
	ring     []T // len window; the events are ring[head], ring[head+1], ... (mod window)
	head     int
	n        int
	consumed uint64
	granted  uint64 // the largest Limit handed out
}

// NewCreditBuffer returns an empty buffer for policy p. It allocates the
// window's slots at once. It panics on the zero Policy.
func NewCreditBuffer[T any](p Policy) *CreditBuffer[T] {
	if p.window < 1 {
		panic("protocol: NewCreditBuffer: zero Policy")
	}
	return &CreditBuffer[T]{policy: p, ring: make([]T, p.window)}
}

// Policy returns the buffer's policy.
func (b *CreditBuffer[T]) Policy() Policy { return b.policy }

// Len returns the number of buffered events, at most the window.
func (b *CreditBuffer[T]) Len() int { return b.n }

// Consumed returns the number of events taken out with Pop.
func (b *CreditBuffer[T]) Consumed() uint64 { return b.consumed }

// Push appends an event that arrived. It reports false, and keeps nothing,
// when the buffer is full: the sender went beyond its credit.
func (b *CreditBuffer[T]) Push(v T) bool {
	if b.n == len(b.ring) {
		return false
	}
	b.ring[(b.head+b.n)%len(b.ring)] = v
	b.n++
	return true
}

// Pop takes the oldest event out of the buffer, and false if it is empty.
// The event's credit is owed from then on: see Due.
func (b *CreditBuffer[T]) Pop() (T, bool) {
	var zero T
	if b.n == 0 {
		return zero, false
	}
	v := b.ring[b.head]
	b.ring[b.head] = zero
	b.head = (b.head + 1) % len(b.ring)
	b.n--
	b.consumed++
	return v, true
}

// Due returns the credit to send back now, if the policy sends one:
// under Sliding whenever events were consumed since the last credit,
// under Batching only when endOfTurn is set (the receiving reactor's turn
// is over). It reports false when nothing is owed or the policy waits.
func (b *CreditBuffer[T]) Due(endOfTurn bool) (Credit, bool) {
	if b.policy.batched && !endOfTurn {
		return Credit{}, false
	}
	limit := b.consumed + uint64(len(b.ring))
	if limit <= b.granted {
		return Credit{}, false
	}
	b.granted = limit
	return Credit{Limit: limit}, true
}

// Hello returns the credit that answers a link's opening: the whole
// current limit, even if it was granted before (a repeated Hello gets the
// same answer, which the sender ignores as stale).
func (b *CreditBuffer[T]) Hello() Credit {
	limit := b.consumed + uint64(len(b.ring))
	b.granted = max(b.granted, limit)
	return Credit{Limit: limit}
}
