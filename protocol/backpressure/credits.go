package backpressure

import "github.com/reactors-go/reactors/reactor"

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
// first [Credit]). It is not safe for concurrent use.
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
// Create one with [NewCreditBuffer].
//
// Invariant: every [Credit] it hands out has Limit <= Consumed() + Window()
// at that moment, so a sender that obeys the credits never has more than
// Window() events sent and not consumed, and [CreditBuffer.Push] never finds
// the buffer full.
type CreditBuffer[T any] struct {
	policy   Policy
	ring     []T // len window; the events are ring[head], ring[head+1], ... (mod window)
	head     int
	n        int
	consumed uint64
	granted  uint64 // the largest Limit handed out
}

// NewCreditBuffer returns an empty buffer for policy p. It allocates the
// window's slots at once. It panics on the zero [Policy].
func NewCreditBuffer[T any](p Policy) *CreditBuffer[T] {
	if p.window < 1 {
		panic("backpressure: NewCreditBuffer: zero Policy")
	}
	return &CreditBuffer[T]{policy: p, ring: make([]T, p.window)}
}

// Policy returns the buffer's policy.
func (b *CreditBuffer[T]) Policy() Policy { return b.policy }

// Len returns the number of buffered events, at most the window.
func (b *CreditBuffer[T]) Len() int { return b.n }

// Consumed returns the number of events taken out with [CreditBuffer.Pop].
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
// The event's credit is owed from then on: see [CreditBuffer.Due].
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
// under [Sliding] whenever events were consumed since the last credit,
// under [Batching] only when endOfTurn is set (the receiving reactor's turn
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
