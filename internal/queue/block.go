package queue

import (
	"math/bits"
	"reflect"
	"sync"
)

// A block holds the slots of a segment larger than the first size.
// Blocks are used again: a segment the consumer has read to the end (or
// that Release closed) gives its block back to a pool of blocks of its
// element type and size, where the producer that makes the next segment
// of that size, in any queue of that type, finds it. A busy queue then
// allocates a segment header of under 200 bytes per segment instead of
// slots for every element, and gives the collector that much less to
// do. The pools are sync.Pools: blocks nobody takes are freed by the
// collector.
//
// Reuse is safe because nobody touches a block's slots once its segment
// is read to the end: every slot of it was claimed (a segment gets a
// successor only once full, and Release closes one to any further
// claim) and published (the consumer read it), and a producer whose
// claim falls past the end looks at the segment's header only. The Put
// of the consumer that read the block synchronizes before the Get that
// hands it on.
//
// A reused block is not cleared: each use has a lap one higher than the
// last, and a slot is published when its stamp equals its segment's lap,
// so the stamps of earlier laps read as unpublished. Neither the
// consumer that recycles a block nor the producer that takes it writes
// its slots beforehand (2 KB for 128 int64 slots): in a fan-in, either
// may be the one every other goroutine waits for.
type block[T any] struct {
	slots []slot[T]
	lap   uint32 // the lap of the segment using it now
}

// Block sizes: 2·minSegment, 4·minSegment, ..., maxSegment slots, one
// pool each.
var numBlockSizes = bits.Len(maxSegment/minSegment) - 1

// blockPools holds the pools of blocks of each element type T: a
// *[]sync.Pool of numBlockSizes pools of *block[T], one per size.
var blockPools sync.Map // reflect.Type -> *[]sync.Pool

// blocksOf returns the pool of blocks of n slots of T (n a block size).
// It costs a map lookup.
func blocksOf[T any](n int) *sync.Pool {
	t := reflect.TypeFor[T]()
	p, ok := blockPools.Load(t)
	if !ok {
		fresh := make([]sync.Pool, numBlockSizes)
		p, _ = blockPools.LoadOrStore(t, &fresh)
	}
	return &(*p.(*[]sync.Pool))[bits.Len(uint(n/minSegment))-2]
}

// takeBlock returns a block of n slots for a new segment, with its lap:
// one from the pool, or a new one.
func takeBlock[T any](n int) *block[T] {
	b, _ := blocksOf[T](n).Get().(*block[T])
	if b == nil {
		b = &block[T]{slots: make([]slot[T], n)}
	}
	b.nextLap()
	return b
}

// nextLap starts a use of b: its lap goes one up, so that no slot reads
// as published. After 2^32 uses a stamp never written since the first
// could match again, so the lap wraps to 1 over cleared slots.
func (b *block[T]) nextLap() {
	if b.lap++; b.lap == 0 {
		clear(b.slots)
		b.lap = 1
	}
}

// recycle gives s's block back to the pool, if s has one. Consumer only,
// once s is read to the end or closed by Release (or by the producer that
// made s, if s was never linked); at most once per segment.
func (s *segment[T]) recycle() {
	if b := s.blk; b != nil {
		s.blk = nil
		blocksOf[T](len(b.slots)).Put(b)
	}
}
