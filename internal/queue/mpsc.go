package queue

import "sync/atomic"

// Segment sizes grow from minSegment to maxSegment slots, doubling each
// time. Small first segments keep an idle consumer cheap (a reactor that got
// a handful of events pins a handful of slots); large later ones make a burst
// cost one allocation per 128 events.
const (
	minSegment = 4
	maxSegment = 128
)

// MPSC is an unbounded multi-producer, single-consumer FIFO queue.
//
// Push may be called from any goroutine. Pop, Empty and the other consumer
// methods must be called by one goroutine at a time (the consumer), or under
// a hand-over that synchronizes them, such as the reactor's scheduling word.
//
// The zero value is an empty queue and allocates nothing until the first
// Push. A Push costs one atomic add and one atomic store, plus one
// allocation per segment; a Pop costs two atomic loads. A Push synchronizes
// before the Pop that returns its element.
type MPSC[T any] struct {
	head atomic.Pointer[segment[T]] // written by the first Push, then only by the consumer
	tail atomic.Pointer[segment[T]] // the segment producers claim slots in
	idx  int                        // consumer only: next slot of head to read
}

type segment[T any] struct {
	claim atomic.Int64 // next slot to claim; grows past len(slots) once full
	next  atomic.Pointer[segment[T]]
	slots []slot[T]
}

type slot[T any] struct {
	ready atomic.Bool // set once v is written
	v     T
}

func newSegment[T any](n int) *segment[T] {
	return &segment[T]{slots: make([]slot[T], n)}
}

// Push appends v. It never blocks and never fails.
func (q *MPSC[T]) Push(v T) {
	for {
		s := q.tail.Load()
		if s == nil {
			// First push: publish the first segment as the consumer's head,
			// then as the producers' tail. A loser of the head race installs
			// the winner's segment, which is still the head because nothing
			// can be consumed before a tail exists.
			n := newSegment[T](minSegment)
			if !q.head.CompareAndSwap(nil, n) {
				n = q.head.Load()
			}
			q.tail.CompareAndSwap(nil, n)
			continue
		}
		i := s.claim.Add(1) - 1
		if i < int64(len(s.slots)) {
			sl := &s.slots[i]
			sl.v = v
			sl.ready.Store(true)
			return
		}
		// The segment is full: link a successor (one producer wins) and move
		// the tail on.
		n := s.next.Load()
		if n == nil {
			n = newSegment[T](min(2*len(s.slots), maxSegment))
			if !s.next.CompareAndSwap(nil, n) {
				n = s.next.Load()
			}
		}
		q.tail.CompareAndSwap(s, n)
	}
}

// Pop removes and returns the oldest published element. It reports false
// when there is none. Consumer only.
func (q *MPSC[T]) Pop() (T, bool) {
	var zero T
	s := q.head.Load()
	if s == nil {
		return zero, false
	}
	for {
		if q.idx < len(s.slots) {
			sl := &s.slots[q.idx]
			if !sl.ready.Load() {
				return zero, false
			}
			v := sl.v
			sl.v = zero // drop the reference for the collector
			q.idx++
			return v, true
		}
		n := s.next.Load()
		if n == nil {
			return zero, false
		}
		q.head.Store(n)
		q.idx = 0
		s = n
	}
}

// Empty reports whether Pop would return nothing now. Consumer only (or a
// goroutine that holds the consumer's right through a hand-over).
func (q *MPSC[T]) Empty() bool {
	s := q.head.Load()
	if s == nil {
		return true
	}
	i := q.idx
	for {
		if i < len(s.slots) {
			return !s.slots[i].ready.Load()
		}
		n := s.next.Load()
		if n == nil {
			return true
		}
		s, i = n, 0
	}
}
