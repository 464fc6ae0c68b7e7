package queue

import (
	"reflect"
	"sync/atomic"
)

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
// [MPSC.Push] may be called from any goroutine. [MPSC.Pop], [MPSC.Empty] and
// the other consumer methods must be called by one goroutine at a time (the
// consumer), or under a hand-over that synchronizes them, such as the
// reactor's scheduling word.
//
// The zero value is an empty queue and allocates nothing until the first
// Push. A Push costs one atomic add and one atomic store, plus, once per
// segment, the segment's header (192 bytes for int64); the slots of a
// largest segment (128) come from a pool of blocks that consumers give
// back (see block). A Pop costs two atomic loads. A Push synchronizes
// before the Pop that returns its element.
type MPSC[T any] struct {
	head atomic.Pointer[segment[T]] // written by the producer that installs a first segment, else by the consumer
	tail atomic.Pointer[segment[T]] // the segment producers claim slots in
}

// A segment keeps what producers write (claim) and what the consumer
// writes (its read position) more than a cache line apart, with the
// inline slots and a little padding between them, and the consumer reads
// its own copy of the slots header: a consumer popping behind a producer
// pushing into the same segment then moves no header line between their
// cores. The padding costs 16 bytes per segment (a first segment of
// int64 is 192 bytes).
type segment[T any] struct {
	// producers
	claim atomic.Int64 // next slot to claim; grows past len(slots) once full
	next  atomic.Pointer[segment[T]]
	slots []slot[T] // read only after newSegment
	base  int64     // position of slots[0] in the queue's sequence (for Len)
	lap   uint32    // the stamp that publishes a slot of this segment (see block)

	inline [minSegment]slot[T] // the slots of a first-size segment: one allocation
	_      [16]byte            // claim and idx stay over 64 bytes apart for any T

	// the consumer
	idx   int          // next slot to read
	taken atomic.Int64 // slots the consumer has read, as of its last Publish
	cons  []slot[T]    // slots, as the consumer reads it
	clap  uint32       // lap, as the consumer reads it
	clear bool         // T holds pointers: popped slots are zeroed for the collector
	blk   *block[T]    // the block of the slots, if any: recycled once read
}

// A slot is published when its stamp equals its segment's lap.
type slot[T any] struct {
	stamp atomic.Uint32 // set to the segment's lap once v is written
	v     T
}

func newSegment[T any](n int) *segment[T] {
	s := &segment[T]{clear: hasPointers(reflect.TypeFor[T]()), lap: 1}
	switch {
	case n <= minSegment:
		s.slots = s.inline[:]
	case n == maxSegment:
		s.blk = takeBlock[T]()
		s.slots, s.lap = s.blk.slots[:], s.blk.lap
	default:
		s.slots = make([]slot[T], n)
	}
	s.cons, s.clap = s.slots, s.lap
	return s
}

// hasPointers reports whether values of t hold pointers the collector
// follows; slots of other types need no zeroing once read.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return false
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
		return false
	}
	return true
}

// Push appends v and returns its position in the queue's sequence: 0 for
// the first element pushed since the queue was made (or last released),
// then one more per push, in the order the pushes claimed their slots. It
// never blocks and never fails.
func (q *MPSC[T]) Push(v T) uint64 {
	for {
		s := q.tail.Load()
		if s == nil {
			// First push (or first after Release): the producer that installs
			// a fresh segment as the tail also publishes it as the head. Until
			// it does, the consumer sees an empty queue, exactly as it does
			// while any claimed slot is still unpublished; that producer
			// notifies the consumer after its own push.
			n := newSegment[T](minSegment)
			if q.tail.CompareAndSwap(nil, n) {
				q.head.Store(n)
			}
			continue
		}
		i := s.claim.Add(1) - 1
		if i < int64(len(s.slots)) {
			sl := &s.slots[i]
			sl.v = v
			// An atomic store (a locked exchange on amd64): package
			// reactor relies on it being ordered before the sender's
			// later read of the reactor's state (see frame.claimedAny
			// there). A plain release store, in assembly, was rejected:
			// it measured no faster (push and pop on one goroutine:
			// plain 18.0, atomic 19.6 ns of CPU, p=0.29; W1 within the
			// noise), and since that read could pass it, a reactor had
			// to keep running turns while a slot was claimed and
			// unpublished; without that, the reactor's PingPong, Ring
			// and Chain benchmarks use 14-42% less CPU per event (2
			// cores under load).
			sl.stamp.Store(s.lap)
			return uint64(s.base + i)
		}
		// The segment is full: link a successor (one producer wins) and move
		// the tail on.
		n := s.next.Load()
		if n == nil {
			n = newSegment[T](min(2*len(s.slots), maxSegment))
			n.base = s.base + int64(len(s.slots))
			if !s.next.CompareAndSwap(nil, n) {
				n.recycle() // nobody else has seen n
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
		if i := s.idx; i < len(s.cons) {
			sl := &s.cons[i]
			if sl.stamp.Load() != s.clap {
				return zero, false
			}
			v := sl.v
			if s.clear {
				sl.v = zero // drop the reference for the collector
			}
			s.idx = i + 1
			return v, true
		}
		n := s.next.Load()
		if n == nil {
			return zero, false
		}
		q.head.Store(n)
		s.recycle()
		s = n
	}
}

// Release drops the queue's memory if it is empty and no producer is in the
// middle of a push, so that an idle consumer pins no segment; it reports
// whether it did. Consumer only. It costs one compare-and-swap when there
// is a segment, nothing otherwise.
//
// It closes the head segment to producers by moving its claim counter past
// the end (possible only if nobody claimed a slot the consumer has not
// read), so producers that still hold the segment go on to a successor.
// Then it clears head and tail; a producer that linked a successor and
// moved the tail first wins, and the consumer follows the link instead.
func (q *MPSC[T]) Release() bool {
	s := q.head.Load()
	// The head may run ahead of the tail (Pop follows a link before its
	// producer moves the tail on): release only the tail segment itself.
	if s == nil || s.next.Load() != nil || q.tail.Load() != s {
		return false
	}
	if !s.claim.CompareAndSwap(int64(s.idx), int64(len(s.cons))+1<<40) {
		return false // a producer holds a slot we have not read
	}
	q.head.Store(nil)
	s.recycle()
	if q.tail.CompareAndSwap(s, nil) {
		return true
	}
	// A producer found the closed segment full, linked a successor and made
	// it the tail before us: that successor is the new head.
	q.head.Store(s.next.Load())
	return false
}

// Holds reports whether the queue holds a segment: whether it pins
// memory. Consumer only (or a goroutine holding the consumer's right);
// tests use it to check that an idle consumer released its queue.
func (q *MPSC[T]) Holds() bool { return q.head.Load() != nil || q.tail.Load() != nil }

// Publish records how far the consumer has read, for [MPSC.Len]. Consumer only.
// It costs one atomic store; a consumer calls it after a batch of Pops,
// not after each.
func (q *MPSC[T]) Publish() {
	if s := q.head.Load(); s != nil {
		s.taken.Store(int64(s.idx))
	}
}

// Len returns about how many elements are queued: those claimed by
// producers minus those the consumer had read at its last [MPSC.Publish] (or
// before the segment it reads now). Any
// goroutine may call it. The figure is a snapshot that may be stale by
// the pushes and pops under way and by up to one consumer batch; it is
// never negative. It costs a few atomic loads and allocates nothing.
func (q *MPSC[T]) Len() int {
	h, t := q.head.Load(), q.tail.Load()
	if h == nil || t == nil {
		return 0
	}
	n := t.base + min(t.claim.Load(), int64(len(t.slots))) - (h.base + h.taken.Load())
	return int(max(n, 0))
}

// Drained reports whether every element ever claimed has been consumed: no
// element is queued or being pushed. It is stricter than [MPSC.Empty], which is
// true when the oldest slot is claimed but not yet published even if later
// slots are. A producer that wants to pass an element around the queue
// (the reactor's hand-off) needs Drained: with Empty, it could overtake an
// element of its own that sits behind another producer's unfinished push.
// Consumer only (or a goroutine holding the consumer's right).
func (q *MPSC[T]) Drained() bool {
	s := q.head.Load()
	if s == nil {
		return q.tail.Load() == nil
	}
	return s.next.Load() == nil && s.claim.Load() == int64(s.idx)
}

// Empty reports whether [MPSC.Pop] would return nothing now. Consumer only (or a
// goroutine that holds the consumer's right through a hand-over).
//
// A first segment that is installed but not yet published as the head
// counts as non-empty: a producer may already have published an element in
// it, and an element handed past the queue must not overtake it.
func (q *MPSC[T]) Empty() bool {
	s := q.head.Load()
	if s == nil {
		return q.tail.Load() == nil
	}
	i := s.idx
	for {
		if i < len(s.cons) {
			return s.cons[i].stamp.Load() != s.clap
		}
		n := s.next.Load()
		if n == nil {
			return true
		}
		s, i = n, 0
	}
}
