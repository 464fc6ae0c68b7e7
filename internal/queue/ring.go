package queue

import "sync/atomic"

// Ring is a bounded multi-producer, multi-consumer FIFO queue of fixed
// capacity (Vyukov's array queue: a sequence number per cell, one
// compare-and-swap per push or pop).
//
// All methods may be called from any goroutine. A [Ring.Push] synchronizes
// before the [Ring.Pop] that returns its element. Create one with [NewRing];
// the zero value has no capacity and rejects every Push.
type Ring[T any] struct {
	head  atomic.Uint64 // next position to pop
	tail  atomic.Uint64 // next position to push
	cells []cell[T]
}

// A cell's sequence word is 2*pos when it is free for the push at position
// pos and 2*pos+1 when it holds that push's element. (Vyukov's original uses
// pos and pos+1, which cannot tell "full" from "free for the next lap" when
// the capacity is 1.)
type cell[T any] struct {
	seq atomic.Uint64
	v   T
}

// NewRing returns an empty ring holding at most capacity elements. It
// allocates the cells once. capacity must be positive.
func NewRing[T any](capacity int) *Ring[T] {
	if capacity <= 0 {
		panic("queue: ring capacity must be positive")
	}
	r := &Ring[T]{cells: make([]cell[T], capacity)}
	for i := range r.cells {
		r.cells[i].seq.Store(2 * uint64(i))
	}
	return r
}

// Cap returns the capacity given to [NewRing].
func (r *Ring[T]) Cap() int { return len(r.cells) }

// Len returns the number of elements, exact when no push or pop is in
// progress.
func (r *Ring[T]) Len() int {
	t, h := r.tail.Load(), r.head.Load()
	if t < h {
		return 0
	}
	return int(t - h)
}

// Push appends v, or reports false without change if the ring is full.
func (r *Ring[T]) Push(v T) bool {
	n := uint64(len(r.cells))
	if n == 0 {
		return false
	}
	pos := r.tail.Load()
	for {
		c := &r.cells[pos%n]
		seq := c.seq.Load()
		switch d := int64(seq - 2*pos); {
		case d == 0:
			if r.tail.CompareAndSwap(pos, pos+1) {
				c.v = v
				c.seq.Store(2*pos + 1)
				return true
			}
			pos = r.tail.Load()
		case d < 0:
			return false // the cell still holds the element pushed one lap ago
		default:
			pos = r.tail.Load()
		}
	}
}

// Pop removes and returns the oldest element, or reports false if the ring
// is empty (or its oldest push is still being published).
func (r *Ring[T]) Pop() (T, bool) {
	var zero T
	n := uint64(len(r.cells))
	if n == 0 {
		return zero, false
	}
	pos := r.head.Load()
	for {
		c := &r.cells[pos%n]
		seq := c.seq.Load()
		switch d := int64(seq - (2*pos + 1)); {
		case d == 0:
			if r.head.CompareAndSwap(pos, pos+1) {
				v := c.v
				c.v = zero
				c.seq.Store(2 * (pos + n))
				return v, true
			}
			pos = r.head.Load()
		case d < 0:
			return zero, false
		default:
			pos = r.head.Load()
		}
	}
}
