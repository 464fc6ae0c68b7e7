package reactortest

import (
	"context"
	"sync"

	"github.com/reactors-go/reactors/reactor"
)

// Recorder is a [reactor.Sender] that records every event sent to it, in the
// order its [Recorder.Send] calls took effect, for tests to assert on. It
// keeps every event: its memory grows with what it records.
//
// All methods are safe for concurrent use; Send synchronizes before the
// [Recorder.Events], [Recorder.Len] and [Recorder.WaitN] calls that observe
// the event. Create one with [NewRecorder]; a Recorder must not be copied
// after first use.
type Recorder[T any] struct {
	name string
	ch   reactor.Channel[T]

	mu      sync.Mutex // protects the fields below
	events  []T
	waiters []recWaiter // WaitN calls waiting for more events
}

// recWaiter is a [Recorder.WaitN] call waiting until n events are recorded;
// ready is closed then.
type recWaiter struct {
	n     int
	ready chan struct{}
}

// NewRecorder returns an empty recorder; name is what [Recorder.Name] returns.
func NewRecorder[T any](name string) *Recorder[T] {
	r := &Recorder[T]{name: name}
	r.ch = reactor.ChannelOf[T](r)
	return r
}

// Send records v and returns nil. It never blocks on anything but the
// recorder's lock, and allocates only when the record grows.
func (r *Recorder[T]) Send(v T) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, v)
	if len(r.waiters) > 0 {
		r.wakeLocked()
	}
	return nil
}

// Name returns the name given to [NewRecorder].
func (r *Recorder[T]) Name() string { return r.name }

// Channel returns the recorder as a [reactor.Channel]. It is the same value
// on every call.
func (r *Recorder[T]) Channel() reactor.Channel[T] { return r.ch }

// Len returns the number of events recorded.
func (r *Recorder[T]) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// Events returns a copy of the events recorded so far, in order.
func (r *Recorder[T]) Events() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]T(nil), r.events...)
}

// WaitN blocks until at least n events are recorded, then returns a copy
// of all events recorded so far (n or more). If ctx ends first it returns
// a copy of the events recorded so far and ctx.Err(), and leaves nothing
// behind. It starts no goroutine. Do not call it from inside a reactor:
// reactors must not block.
func (r *Recorder[T]) WaitN(ctx context.Context, n int) ([]T, error) {
	r.mu.Lock()
	if len(r.events) >= n {
		defer r.mu.Unlock()
		return append([]T(nil), r.events...), nil
	}
	w := recWaiter{n: n, ready: make(chan struct{})}
	r.waiters = append(r.waiters, w)
	r.mu.Unlock()
	select {
	case <-w.ready:
		return r.Events(), nil
	case <-ctx.Done():
		r.mu.Lock()
		defer r.mu.Unlock()
		for i := range r.waiters {
			if r.waiters[i].ready == w.ready {
				r.waiters = append(r.waiters[:i], r.waiters[i+1:]...)
				break
			}
		}
		return append([]T(nil), r.events...), ctx.Err()
	}
}

// wakeLocked releases the waiters whose count is reached. r.mu is held.
func (r *Recorder[T]) wakeLocked() {
	kept := r.waiters[:0]
	for _, w := range r.waiters {
		if len(r.events) >= w.n {
			close(w.ready)
		} else {
			kept = append(kept, w)
		}
	}
	clear(r.waiters[len(kept):])
	r.waiters = kept
}
