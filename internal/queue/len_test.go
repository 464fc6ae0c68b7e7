package queue

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMPSCLen checks Len against a counted model across segment
// boundaries, Publish points and Release.
func TestMPSCLen(t *testing.T) {
	var q MPSC[int]
	require.Zero(t, q.Len())
	pushed, published := 0, 0
	for round := range 3 {
		for i := range 300 + round*7 { // crosses the 4, 8, ... 128-slot segments
			q.Push(i)
			pushed++
			require.Equal(t, pushed-published, q.Len())
		}
		for range 150 {
			_, ok := q.Pop()
			require.True(t, ok)
		}
		// Unpublished pops count when the consumer has moved past their
		// segment, not before.
		require.LessOrEqual(t, q.Len(), pushed-published)
		require.GreaterOrEqual(t, q.Len(), pushed-published-150)
		q.Publish()
		published += 150
		require.Equal(t, pushed-published, q.Len())
		for {
			if _, ok := q.Pop(); !ok {
				break
			}
			published++
		}
		q.Publish()
		require.Zero(t, q.Len())
		require.True(t, q.Release() || q.Drained())
		require.Zero(t, q.Len())
	}
}

// TestMPSCLenConcurrent: with producers running, Len stays within what
// was pushed and never goes negative, and reads exactly once they stop.
func TestMPSCLenConcurrent(t *testing.T) {
	var q MPSC[int]
	const producers, each = 4, 5000
	var wg sync.WaitGroup
	for range producers {
		wg.Go(func() {
			for i := range each {
				q.Push(i)
			}
		})
	}
	popped := 0
	for popped < producers*each {
		if _, ok := q.Pop(); ok {
			popped++
			if popped%64 == 0 {
				q.Publish()
			}
		}
		n := q.Len()
		require.GreaterOrEqual(t, n, 0)
		require.LessOrEqual(t, n, producers*each)
	}
	wg.Wait()
	q.Publish()
	require.Zero(t, q.Len())
}
