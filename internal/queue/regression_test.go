package queue

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRegressionEmptyHidesPublishedElement is the deterministic half of the
// per-sender FIFO bug in reactor.Connector.send (see
// reactor/regression_test.go): the fast path used Empty as "no queued event an
// event of mine could overtake", but Empty is true while the slot at the
// consumer's index is claimed and unpublished, even when later slots hold
// published elements. A sender whose earlier event sits in such a later
// slot then handed its next event over in Connector.first, which is
// delivered before the queue. The fast path uses Drained, which is false
// here.
func TestRegressionEmptyHidesPublishedElement(t *testing.T) {
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

// TestRegressionReleaseLosesElementsWhenHeadIsAheadOfTail: MPSC.Release (work
// in progress in the tree, called by reactors going idle through
// frame.trim) assumes that when the head segment has no successor, the
// tail is the head. It is not so: Pop follows s.next as soon as a producer
// has linked it, before that producer moves the tail. Release then closes
// the new head n (n.next == nil, nothing claimed), clears head, fails its
// tail CAS (the tail is still the old segment) and sets head = n.next,
// which is nil. The producer then moves the tail on; from now on the head
// stays nil while producers fill segments after it: every later element
// is lost and the reactor never runs its handlers again.
//
// Seen in TestStressRandomSendsManyReactors as "timed out waiting for
// reactor reports" (about one run in twenty); a trace of the stuck queue
// showed "pop move head 8->16, release closed 16, release fail
// next=nil tail=8, move tail 8->16->32->64" with head nil.
//
// The fix: in Release, return false unless q.tail.Load() == s (checked
// before the claim CAS). With that change the reactor-level reproduction
// ran 180 rounds of 160,000 sends without a hang.
func TestRegressionReleaseLosesElementsWhenHeadIsAheadOfTail(t *testing.T) {
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
