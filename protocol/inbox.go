package protocol

import (
	"sync"

	"github.com/reactors-go/reactors/reactor"
)

// Inbox is where the replies to a plain goroutine's requests go while it
// waits for them (a scatter-gather, a batch over shards): a
// [reactor.Sender] that takes at most n replies into a Go channel buffered
// for all of them, so a replying reactor never blocks, and refuses every
// other reply with [reactor.ErrExpired], dead-lettering it to sys with
// [reactor.ReasonExpired] under name. Make a Channel of it with
// [reactor.ChannelOf].
//
// [Inbox.Send] is safe for concurrent use; [Inbox.C] and [Inbox.Close] belong
// to the waiting goroutine. The channel is never closed: after Close no send
// touches it, and it is garbage once the waiter is done. A send that returned
// nil synchronizes before the receive of its value.
type Inbox[T any] struct {
	sys  *reactor.System
	name string
	c    chan T

	mu   sync.Mutex
	left int // guarded by mu: replies still taken; 0 once full or closed
}

// NewInbox returns an inbox that takes n replies (with n = 0 it refuses
// every reply). It costs one allocation for the inbox and one for a
// channel of n slots. It panics if sys is nil or n is negative.
func NewInbox[T any](sys *reactor.System, name string, n int) *Inbox[T] {
	if sys == nil {
		panic("protocol: NewInbox with a nil system")
	}
	if n < 0 {
		panic("protocol: NewInbox: negative size")
	}
	return &Inbox[T]{sys: sys, name: name, c: make(chan T, n), left: n}
}

// Send takes v if the waiter still wants it.
func (b *Inbox[T]) Send(v T) error {
	b.mu.Lock()
	if b.left == 0 {
		b.mu.Unlock()
		b.sys.DeadLetter(b.name, reactor.ReasonExpired, v)
		return reactor.ErrExpired
	}
	b.left--
	b.c <- v // never blocks: c has room for every reply taken
	b.mu.Unlock()
	return nil
}

// Name names the inbox in dead letters.
func (b *Inbox[T]) Name() string { return b.name }

// C returns the channel the taken replies arrive on.
func (b *Inbox[T]) C() <-chan T { return b.c }

// Close refuses later replies and appends to got those taken before and
// not yet received: a send that returned nil is never lost.
func (b *Inbox[T]) Close(got []T) []T {
	b.mu.Lock()
	b.left = 0
	b.mu.Unlock()
	for {
		select {
		case v := <-b.c:
			got = append(got, v)
		default:
			return got
		}
	}
}
