package reactortest

import (
	"math"
	"math/rand/v2"
	"time"
)

// The ready-made scripts draw from their own PCG source, seeded with the
// seed given and a constant per kind of script, so that Drop(p, 1) and
// Duplicate(p, 1) in one chain do not make correlated choices. Each
// decision costs one draw (a few nanoseconds) and allocates nothing.
const (
	streamDrop uint64 = 0x9e3779b97f4a7c15 + iota
	streamDuplicate
	streamReorder
	streamJitter
)

// newRand returns a source for one stage.
func newRand(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }

// checkProbability panics unless 0 <= p <= 1.
func checkProbability(what string, p float64) {
	if math.IsNaN(p) || p < 0 || p > 1 {
		panic("reactortest: " + what + " probability out of [0, 1]")
	}
}

// Drop returns a script that drops each event independently with
// probability p, drawn from a source seeded with seed. Events that are not
// dropped keep their order. It panics unless 0 <= p <= 1.
func Drop(p float64, seed uint64) Script {
	checkProbability("Drop", p)
	return oneStage(func() ScriptFunc {
		r := newRand(seed, streamDrop)
		return func(uint64, int) Decision { return Decision{Drop: r.Float64() < p} }
	})
}

// Duplicate returns a script that delivers each event twice, one copy
// right after the other, with probability p, drawn from a source seeded
// with seed. It panics unless 0 <= p <= 1.
func Duplicate(p float64, seed uint64) Script {
	checkProbability("Duplicate", p)
	return oneStage(func() ScriptFunc {
		r := newRand(seed, streamDuplicate)
		return func(uint64, int) Decision {
			if r.Float64() < p {
				return Decision{Duplicates: 1}
			}
			return Decision{}
		}
	})
}

// Reorder returns a script that cuts the stream into windows of window
// consecutive events and delivers each window, once complete, in a
// uniformly random order drawn from a source seeded with seed. An event
// moves at most window-1 places. Holding an event costs O(window).
//
// A window is delivered only when it is complete: the events of an
// incomplete last window stay held until more events arrive or [Faulty.Flush] is
// called. For reordering bounded in time rather than in events, use
// [Jitter]. It panics if window < 1; Reorder(1, seed) changes nothing.
func Reorder(window int, seed uint64) Script {
	if window < 1 {
		panic("reactortest: Reorder window < 1")
	}
	return oneStage(func() ScriptFunc {
		r := newRand(seed, streamReorder)
		return func(_ uint64, held int) Decision {
			// Inserting the k-th event of a window at a uniform position
			// among k+1 builds a uniformly random permutation.
			return Decision{Hold: true, Before: r.IntN(held + 1), Release: held+1 >= window}
		}
	})
}

// Delay returns a script that delivers every event d later on the
// channel's clock. Order is kept: events fall due in the order sent.
// It panics if d < 0; Delay(0) changes nothing.
func Delay(d time.Duration) Script {
	if d < 0 {
		panic("reactortest: negative Delay")
	}
	return oneStage(func() ScriptFunc {
		return func(uint64, int) Decision { return Decision{Delay: d} }
	})
}

// Jitter returns a script that delays each event by a duration drawn
// uniformly from [0, limit) on the channel's clock, from a source seeded
// with seed, so that events sent less than limit apart may overtake each
// other. It panics if limit <= 0.
func Jitter(limit time.Duration, seed uint64) Script {
	if limit <= 0 {
		panic("reactortest: Jitter limit <= 0")
	}
	return oneStage(func() ScriptFunc {
		r := newRand(seed, streamJitter)
		return func(uint64, int) Decision { return Decision{Delay: time.Duration(r.Int64N(int64(limit)))} }
	})
}
