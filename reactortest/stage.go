package reactortest

import "time"

// stage is the running state of one stage of a faulty channel's script.
// Every field is guarded by the channel's lock (Faulty.mu).
type stage[T any] struct {
	decide ScriptFunc
	seq    uint64 // events that entered the stage so far
	held   []T    // the hold buffer, in release order
	spare  []T    // an empty buffer reused by releases

	delayed []delayed[T] // min-heap by (due, seq)
	dseq    uint64       // events delayed so far: the tie-break among equal due times
	timer   Timer        // armed for delayed[0] when armed
	armed   bool
	armedAt time.Duration // the due time timer was armed for
	gen     uint64        // identifies the current timer; stale callbacks do nothing
}

// delayed is an event waiting on the clock; due is measured from the
// channel's creation.
type delayed[T any] struct {
	due time.Duration
	seq uint64
	v   T
}

// hold inserts v into the hold buffer before the last before events.
func (s *stage[T]) hold(v T, before int) {
	at := len(s.held) - min(max(before, 0), len(s.held))
	if at == len(s.held) {
		s.held = append(s.held, v)
		return
	}
	var zero T
	s.held = append(s.held, zero)
	copy(s.held[at+1:], s.held[at:])
	s.held[at] = v
}

// takeHeld empties the hold buffer and returns its events; the caller
// gives the slice back with giveHeld once it has passed them on.
func (s *stage[T]) takeHeld() []T {
	h := s.held
	s.held, s.spare = s.spare, nil
	return h
}

// giveHeld keeps h's storage for the next release.
func (s *stage[T]) giveHeld(h []T) {
	clear(h)
	s.spare = h[:0]
}

// The delay heap is container/heap's algorithm written for one type, to
// avoid its interface conversions and allocations.

func (s *stage[T]) less(i, j int) bool {
	a, b := &s.delayed[i], &s.delayed[j]
	if a.due != b.due {
		return a.due < b.due
	}
	return a.seq < b.seq
}

// pushDelayed adds v, due at due.
func (s *stage[T]) pushDelayed(due time.Duration, v T) {
	s.delayed = append(s.delayed, delayed[T]{due: due, seq: s.dseq, v: v})
	s.dseq++
	for i := len(s.delayed) - 1; i > 0; {
		p := (i - 1) / 2
		if !s.less(i, p) {
			break
		}
		s.delayed[i], s.delayed[p] = s.delayed[p], s.delayed[i]
		i = p
	}
}

// popDelayed removes and returns the earliest delayed event.
func (s *stage[T]) popDelayed() T {
	v := s.delayed[0].v
	n := len(s.delayed) - 1
	s.delayed[0] = s.delayed[n]
	s.delayed[n] = delayed[T]{}
	s.delayed = s.delayed[:n]
	for i := 0; ; {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && s.less(r, l) {
			m = r
		}
		if !s.less(m, i) {
			break
		}
		s.delayed[i], s.delayed[m] = s.delayed[m], s.delayed[i]
		i = m
	}
	return v
}

// disarm cancels the stage's timer, if armed.
func (s *stage[T]) disarm() {
	if s.armed {
		s.timer.Stop()
		s.armed, s.timer = false, nil
	}
}
