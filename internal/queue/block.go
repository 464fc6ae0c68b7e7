package queue

import (
	"reflect"
	"sync"
)

// A block holds the slots of a largest segment. Blocks are used again:
// a segment the consumer has read to the end (or that Release closed)
// gives its block back to a pool of blocks of its element type, where
// the producer that makes the next largest segment of any queue of that
// type finds it. A busy queue then allocates a header of under 200 bytes
// per 128 elements instead of slots for every element, and gives the
// collector that much less to do. The pools are sync.Pools: blocks
// nobody takes are freed by the collector.
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
// its slots beforehand (2 KB for int64): in a fan-in, either may be the
// one every other goroutine waits for.
//
// The lap comes after the slots, so that they start on a cache line as
// a slice of their own would: a slot never straddles two lines.
type block[T any] struct {
	slots [maxSegment]slot[T]
	lap   uint32 // the lap of the segment using it now
}

// blockPools holds a *sync.Pool of *block[T] for each element type T.
var blockPools sync.Map // reflect.Type -> *sync.Pool

// blocksOf returns the pool of blocks of T. It costs a map lookup.
func blocksOf[T any]() *sync.Pool {
	t := reflect.TypeFor[T]()
	if p, ok := blockPools.Load(t); ok {
		return p.(*sync.Pool)
	}
	p, _ := blockPools.LoadOrStore(t, new(sync.Pool))
	return p.(*sync.Pool)
}

// takeBlock returns a block for a new segment, with its lap: one from
// the pool, or a new one.
func takeBlock[T any]() *block[T] {
	b, _ := blocksOf[T]().Get().(*block[T])
	if b == nil {
		b = new(block[T])
	}
	b.nextLap()
	return b
}

// nextLap starts a use of b: its lap goes one up, so that no slot reads
// as published. After 2^32 uses a stamp never written since the first
// could match again, so the lap wraps to 1 over cleared slots.
func (b *block[T]) nextLap() {
	if b.lap++; b.lap == 0 {
		clear(b.slots[:])
		b.lap = 1
	}
}

// recycle gives s's block back to the pool, if s has one. Consumer only,
// once s is read to the end or closed by Release (or by the producer that
// made s, if s was never linked); at most once per segment.
func (s *segment[T]) recycle() {
	if b := s.blk; b != nil {
		s.blk = nil
		blocksOf[T]().Put(b)
	}
}
