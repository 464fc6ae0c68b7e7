package queue

import (
	"math"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReusedBlockStartsEmpty: a queue that fills and drains largest
// segments round after round, so that later rounds run on blocks of
// earlier ones, pops exactly what each round pushed and then nothing:
// no slot of a reused block reads as published before it is pushed
// again.
func TestReusedBlockStartsEmpty(t *testing.T) {
	var q MPSC[*int]
	const each = 3*maxSegment + 7 // past two largest segments, then part of a third
	for round := range 20 {
		for i := range each {
			q.Push(&[]int{round*each + i}[0])
		}
		for i := range each {
			v, ok := q.Pop()
			require.True(t, ok, "round %d: element %d missing", round, i)
			require.Equal(t, round*each+i, *v, "round %d", round)
		}
		_, ok := q.Pop()
		require.False(t, ok, "round %d: popped an element nobody pushed", round)
		require.True(t, q.Empty())
		require.True(t, q.Drained())
		if round%2 == 0 {
			require.True(t, q.Release(), "round %d", round)
		}
	}
}

// TestQueuesSharingBlocksKeepTheirElements: queues of one element type
// share the pool of blocks; with producers and a consumer on each, every
// element comes out of its own queue exactly once and in each
// producer's order (the race detector checks that no block is written
// by two owners).
func TestQueuesSharingBlocksKeepTheirElements(t *testing.T) {
	const queues, producers, each = 3, 3, 10000
	var wg sync.WaitGroup
	for qi := range queues {
		wg.Go(func() {
			var q MPSC[[2]int]
			var pw sync.WaitGroup
			for p := range producers {
				pw.Go(func() {
					for i := range each {
						q.Push([2]int{qi*producers + p, i})
					}
				})
			}
			next := make([]int, producers)
			for got := 0; got < producers*each; {
				v, ok := q.Pop()
				if !ok {
					q.Release()
					continue
				}
				p := v[0] - qi*producers
				if p < 0 || p >= producers || v[1] != next[p] {
					t.Errorf("queue %d: got %v, want producer of this queue at %v", qi, v, next)
					return
				}
				next[p]++
				got++
			}
			pw.Wait()
			if _, ok := q.Pop(); ok {
				t.Errorf("queue %d: popped more than was pushed", qi)
			}
		})
	}
	wg.Wait()
}

// TestBlockLapWrapsOverClearedSlots: the lap after 2^32 uses is 1 again,
// over slots whose stamps were cleared, so that a stamp left from lap 1
// does not read as published.
func TestBlockLapWrapsOverClearedSlots(t *testing.T) {
	b := new(block[int])
	b.nextLap()
	require.Equal(t, uint32(1), b.lap)
	b.slots[3].stamp.Store(1) // published in lap 1, never written again
	b.lap = math.MaxUint32
	b.nextLap()
	require.Equal(t, uint32(1), b.lap)
	require.Zero(t, b.slots[3].stamp.Load())
}
