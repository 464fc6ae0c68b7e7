package sched

import "sync/atomic"

// runq is a worker's local run queue: a ring of localSize tasks. The owner
// pushes at the tail and pops at the head; other workers steal at the head
// with a compare-and-swap.
type runq[T any] struct {
	head atomic.Uint32
	tail atomic.Uint32
	buf  [localSize]atomic.Pointer[T]
}

// push appends t; it reports false when the ring is full. Owner only.
func (q *runq[T]) push(t *T) bool {
	h := q.head.Load()
	tl := q.tail.Load()
	if tl-h >= localSize {
		return false
	}
	q.buf[tl%localSize].Store(t)
	q.tail.Store(tl + 1)
	return true
}

// pop removes the head. Any worker may call it.
func (q *runq[T]) pop() *T {
	for {
		h := q.head.Load()
		tl := q.tail.Load()
		if tl == h {
			return nil
		}
		t := q.buf[h%localSize].Load()
		// The slot at h cannot be overwritten before head moves past h, so
		// t is the element at h if the CAS succeeds.
		if q.head.CompareAndSwap(h, h+1) {
			return t
		}
	}
}

func (q *runq[T]) empty() bool { return q.tail.Load() == q.head.Load() }

// fifo is the global queue: a growable ring guarded by the pool's mutex. n
// mirrors its length for lock-free emptiness checks.
type fifo[T any] struct {
	buf  []*T
	head int
	size int
	n    atomic.Int32
}

func (f *fifo[T]) push(t *T) {
	if f.size == len(f.buf) {
		nb := make([]*T, max(16, 2*len(f.buf)))
		for i := range f.size {
			nb[i] = f.buf[(f.head+i)%len(f.buf)]
		}
		f.buf, f.head = nb, 0
	}
	f.buf[(f.head+f.size)%len(f.buf)] = t
	f.size++
	f.n.Store(int32(f.size))
}

func (f *fifo[T]) pop() *T {
	if f.size == 0 {
		return nil
	}
	t := f.buf[f.head]
	f.buf[f.head] = nil
	f.head = (f.head + 1) % len(f.buf)
	f.size--
	f.n.Store(int32(f.size))
	if f.size == 0 && len(f.buf) > 64 {
		f.buf, f.head = nil, 0 // a burst is over: do not pin its buffer
	}
	return t
}
