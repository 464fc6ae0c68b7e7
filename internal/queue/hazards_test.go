package queue

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDrainedSeesPublishedElementBehindClaimedSlot: while the slot at
// the consumer's index is claimed and unpublished, Empty is true even
// when later slots hold published elements, and Drained is false. The
// send fast path of package reactor relies on Drained for per-sender
// FIFO (see its TestFastPathKeepsPerSenderFIFO).
func TestDrainedSeesPublishedElementBehindClaimedSlot(t *testing.T) {
	var q MPSC[int]
	q.Push(0)
	_, ok := q.Pop()
	require.True(t, ok)
	// Producer A claims the next slot and has not published it yet.
	s := q.tail.Load()
	s.claim.Add(1)
	// Producer B publishes its event behind it.
	q.Push(1)
	require.True(t, q.Empty(), "Empty: Pop would return nothing now")
	require.False(t, q.Drained(), "Drained must see the element queued behind the claimed slot")
}

// TestReleaseKeepsElementsWhenHeadIsAheadOfTail: Release never loses
// the queue's later elements when Pop has moved the head onto a segment
// that a producer linked but has not yet made the tail.
//
// Pop follows s.next as soon as a producer has linked it, before that
// producer moves the tail, so "the head segment has no successor" does
// not mean "the tail is the head". Were Release to close such a head n
// (n.next == nil, nothing claimed), clear it, fail its tail CAS and set
// head = n.next (nil), the producer would then move the tail on and the
// head would stay nil while producers filled segments after it: every
// later element lost, and the reactor never scheduled again. Release
// returns false unless q.tail.Load() == s, checked before its claim CAS.
func TestReleaseKeepsElementsWhenHeadIsAheadOfTail(t *testing.T) {
	var q MPSC[int]
	for i := range minSegment {
		q.Push(i)
	}
	s := q.tail.Load()
	// Producer P finds s full and links a successor, but has not moved
	// the tail yet.
	s.claim.Add(1)
	n := newSegment[int](2 * minSegment)
	require.True(t, s.next.CompareAndSwap(nil, n))
	// The consumer drains s; the last Pop follows the link to n.
	for i := range minSegment {
		v, ok := q.Pop()
		require.True(t, ok)
		require.Equal(t, i, v)
	}
	_, ok := q.Pop()
	require.False(t, ok)
	require.Same(t, n, q.head.Load(), "the consumer's head is ahead of the tail")
	q.Release() // the consumer goes idle
	// P resumes: it moves the tail on and pushes (its retry of the loop
	// finds n closed and goes on to a successor).
	q.tail.CompareAndSwap(s, n)
	q.Push(100)
	v, ok := q.Pop()
	require.True(t, ok, "the element pushed after Release is unreachable (head=%p, tail=%p)", q.head.Load(), q.tail.Load())
	require.Equal(t, 100, v)
}
