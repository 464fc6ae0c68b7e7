package reactor

import (
	"context"
	"strconv"
	"sync/atomic"

	"github.com/reactors-go/reactors/internal/owner"
	"github.com/reactors-go/reactors/internal/queue"
)

// Overflow is what a bounded mailbox does with a send that finds it full.
type Overflow uint8

// [Overflow] policies.
const (
	// DropNewest discards the event being sent: [Channel.Send] returns nil
	// and the event is dead-lettered with [ReasonOverflow].
	DropNewest Overflow = iota
	// DropOldest evicts the oldest queued event to make room: [Channel.Send]
	// returns nil and the evicted event is dead-lettered with
	// [ReasonOverflow].
	DropOldest
	// Fail refuses the send: [Channel.Send] returns [ErrFull] and the event
	// stays with the sender (it is not dead-lettered).
	Fail
	// Block makes the sender wait for room: [Channel.Send] waits until there
	// is room or the channel closes; [Channel.Offer] also gives up when its
	// context ends. Inside a reactor nothing blocks: a sender running a
	// reactor's turn, on any scheduler, gets [ErrFull] instead of waiting.
	Block
)

func (o Overflow) String() string {
	switch o {
	case DropNewest:
		return "drop-newest"
	case DropOldest:
		return "drop-oldest"
	case Fail:
		return "fail"
	case Block:
		return "block"
	}
	return "overflow(" + strconv.Itoa(int(o)) + ")"
}

// blocking is the waiting room of a [Block] mailbox: senders wait on room for
// a token that the consumer drops after each pop while anybody waits.
type blocking struct {
	waiters atomic.Int32
	room    chan struct{} // capacity 1
}

func (b *blocking) signal() {
	if b.waiters.Load() > 0 {
		select {
		case b.room <- struct{}{}:
		default:
		}
	}
}

// sendBounded enqueues v into the connector's ring under its overflow
// policy; a [Block] policy waits at most until ctx is done.
func (c *Connector[T]) sendBounded(ctx context.Context, r *queue.Ring[T], v T) error {
	for !r.Push(v) {
		switch c.cx.policy {
		case DropNewest:
			c.f.sys.deadLetter(c.fullName(), ReasonOverflow, v)
			return nil
		case DropOldest:
			if old, ok := r.Pop(); ok {
				c.f.sys.deadLetter(c.fullName(), ReasonOverflow, old)
			}
		case Fail:
			return ErrFull
		case Block:
			if err := c.waitRoom(ctx, r); err != nil {
				if err == errClosedWhileWaiting {
					return c.refuse(v)
				}
				return err
			}
		}
	}
	if b := c.cx.blk; b != nil && r.Len() < r.Cap() {
		b.signal() // a pop may have found the token taken: pass room on
	}
	c.f.notify()
	if gone(c.closed.Load()) {
		c.discardLate()
	}
	return nil
}

// waitRoom blocks until the consumer made room, the connector closed, or
// ctx ended.
func (c *Connector[T]) waitRoom(ctx context.Context, r *queue.Ring[T]) error {
	if owner.Current() != 0 {
		return ErrFull // inside a reactor (any scheduler) nothing blocks
	}
	b := c.cx.blk
	b.waiters.Add(1)
	defer b.waiters.Add(-1)
	if r.Len() < r.Cap() {
		return nil // room appeared before we registered
	}
	select {
	case <-b.room:
	case <-ctx.Done():
		return ctx.Err()
	}
	if c.closed.Load()&closedMask != open {
		b.signal() // pass the wake-up on to the next waiter
		return errClosedWhileWaiting
	}
	return nil
}
