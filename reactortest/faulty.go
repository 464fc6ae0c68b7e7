package reactortest

import (
	"sync"
	"time"

	"github.com/reactors-go/reactors/reactor"
)

// Faulty is a channel that delivers to a target through a [Script]: the
// events sent to it are dropped, duplicated, held back and reordered, or
// delayed, as the script decides, before they reach the target. It models
// a lossy network between senders and the target, the way Reactors.IO's
// Scripted service instruments a channel.
//
// Lost events are lost silently, as on a network: [Faulty.Send] returns nil and
// the loss is counted in [Stats.Dropped], never reported as a dead letter.
// Everything else reaches the target's Send exactly once per copy, in the
// order the script decided, one call at a time; events still held or
// delayed when a test ends stay there until [Faulty.Flush].
//
// All methods are safe for concurrent use; Send may be called from any
// number of goroutines and reactors at once.
type Faulty[T any] struct {
	target reactor.Sender[T]
	ch     reactor.Channel[T]
	clock  Clock
	start  time.Time // clock time at creation; delays are measured from it

	mu         sync.Mutex // protects the fields below and the stages
	stages     []*stage[T]
	out        []T // decided deliveries not yet handed to the target, in order
	spare      []T // an empty buffer that takes out's place during delivery
	delivering bool
	queued     uint64    // events ever appended to out
	handed     uint64    // events of out handed to the target so far
	waiters    int       // Flush calls waiting for a delivering goroutine
	handedOut  sync.Cond // signalled after each batch when waiters > 0
	st         Stats     // Pending is computed by Stats
	err        error     // the first error the target returned
}

// Stats counts what a faulty channel did. An event copied by a stage
// counts once per copy in the counts that follow, and an event held or
// delayed by two stages counts twice there. At every snapshot,
// Sent + Duplicated == Dropped + Delivered + Pending.
type Stats struct {
	Sent       uint64 // events accepted by Send
	Dropped    uint64 // copies dropped by the script
	Duplicated uint64 // extra copies made by the script
	Held       uint64 // copies put in a stage's hold buffer
	Delayed    uint64 // copies put on the clock
	Delivered  uint64 // copies handed to the target's Send
	Failed     uint64 // deliveries whose Send returned an error (part of Delivered)
	Pending    int    // copies held, on the clock, or on their way to the target now
}

// NewFaulty returns a faulty channel that delivers to target through
// script; a [reactor.Channel], a router or a [Recorder] can be the target.
// Delays run on package time's clock unless [WithClock] says otherwise.
// It panics if target is nil.
//
// The target's Send must be safe for concurrent use (it is called by one
// goroutine at a time, but not always the same one) and must not panic.
func NewFaulty[T any](target reactor.Sender[T], script Script, opts ...Option) *Faulty[T] {
	if target == nil {
		panic("reactortest: nil target")
	}
	cfg := config{clock: realClock{}}
	for _, o := range opts {
		o(&cfg)
	}
	f := &Faulty[T]{target: target, clock: cfg.clock}
	f.start = f.clock.Now()
	f.handedOut.L = &f.mu
	for _, newStage := range script.stages {
		f.stages = append(f.stages, &stage[T]{decide: newStage()})
	}
	f.ch = reactor.ChannelOf[T](f)
	return f
}

// Channel returns the faulty channel as a [reactor.Channel], to hand to the
// code under test. It is the same value on every call.
func (f *Faulty[T]) Channel() reactor.Channel[T] { return f.ch }

// Name returns the target's name.
func (f *Faulty[T]) Name() string { return f.target.Name() }

// Send passes v through the script. It returns nil: like a network, a
// faulty channel accepts every event, and the target's own errors are
// counted in [Stats.Failed] and kept for [Faulty.Err]. A refused event is not
// retried (a reactor channel dead-letters the events it refuses).
//
// The deliveries the script decides at once are made before Send returns,
// by this goroutine or, if another goroutine is delivering at that moment,
// by that one: a Send may hand over events of other senders too. Send
// never waits for another sender's deliveries, only for the target's Send
// calls it makes itself (and, briefly, for the channel's lock).
//
// Per-sender FIFO holds while the script only drops, duplicates and delays by
// a constant; [Decision.Hold], [Reorder], [Jitter] and unequal delays break
// it, which is their purpose. With one sending goroutine the deliveries are a
// function of the script and the sequence of sends (and of the clock's timing
// for delays). Without delays a Send costs 15 to 100 ns (more with more
// stages) plus the target's Send, and allocates nothing in the steady state.
func (f *Faulty[T]) Send(v T) error {
	f.mu.Lock()
	f.st.Sent++
	f.push(0, v)
	f.deliverLocked()
	return nil
}

// Flush passes on, now, every event the script holds or delays, stage by
// stage: each stage passes on its delayed events in due order, then its
// held events in buffer order, and they go through the rest of the script
// (so a later stage may still drop or duplicate them; whatever a later
// stage holds or delays is flushed in turn). When Flush returns, [Stats.Pending]
// is 0 unless events were sent meanwhile, and every event sent before
// Flush was called has been dropped or handed to the target.
//
// Flush waits for a goroutine that is delivering, so it must not be
// called from the target's Send.
func (f *Faulty[T]) Flush() {
	f.mu.Lock()
	for i, s := range f.stages {
		s.disarm()
		for len(s.delayed) > 0 {
			f.push(i+1, s.popDelayed())
		}
		if len(s.held) > 0 {
			f.release(i)
		}
	}
	if !f.delivering {
		f.deliverLocked()
		return
	}
	ticket := f.queued
	f.waiters++
	for f.handed < ticket {
		f.handedOut.Wait()
	}
	f.waiters--
	f.mu.Unlock()
}

// Stats returns a snapshot of the channel's counters. It costs O(stages).
func (f *Faulty[T]) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.st
	st.Pending = int(f.queued - f.handed)
	for _, s := range f.stages {
		st.Pending += len(s.held) + len(s.delayed)
	}
	return st
}

// Err returns the first error the target's Send returned, nil if none.
func (f *Faulty[T]) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// push passes v into stage i (the target's queue after the last stage).
// f.mu is held.
func (f *Faulty[T]) push(i int, v T) {
	if i == len(f.stages) {
		f.out = append(f.out, v)
		f.queued++
		return
	}
	s := f.stages[i]
	d := s.decide(s.seq, len(s.held))
	s.seq++
	if d.Drop {
		f.st.Dropped++
	} else {
		n := 1 + max(d.Duplicates, 0)
		f.st.Duplicated += uint64(n - 1)
		for range n {
			switch {
			case d.Hold:
				s.hold(v, d.Before)
				f.st.Held++
			case d.Delay > 0:
				now := f.now()
				s.pushDelayed(now+d.Delay, v)
				f.st.Delayed++
				f.arm(i, now)
			default:
				f.push(i+1, v)
			}
		}
	}
	if d.Release && len(s.held) > 0 {
		f.release(i)
	}
}

// release passes stage i's held events on. f.mu is held.
func (f *Faulty[T]) release(i int) {
	s := f.stages[i]
	h := s.takeHeld()
	for j := range h {
		f.push(i+1, h[j]) // pushes only reach later stages: h stays intact
	}
	s.giveHeld(h)
}

// now returns the clock's time since the channel's creation.
func (f *Faulty[T]) now() time.Duration { return f.clock.Now().Sub(f.start) }

// arm makes sure stage i's timer fires when its earliest delayed event
// falls due. f.mu is held.
func (f *Faulty[T]) arm(i int, now time.Duration) {
	s := f.stages[i]
	if len(s.delayed) == 0 {
		s.disarm()
		return
	}
	head := s.delayed[0].due
	if s.armed && s.armedAt <= head {
		return
	}
	s.disarm()
	s.gen++
	gen := s.gen
	s.armed, s.armedAt = true, head
	s.timer = f.clock.AfterFunc(head-now, func() { f.fire(i, gen) })
}

// fire is stage i's timer: it passes on the events that are due and
// delivers them.
func (f *Faulty[T]) fire(i int, gen uint64) {
	f.mu.Lock()
	s := f.stages[i]
	if !s.armed || s.gen != gen { // stopped or replaced while firing
		f.mu.Unlock()
		return
	}
	s.armed, s.timer = false, nil
	now := f.now()
	for len(s.delayed) > 0 && s.delayed[0].due <= now {
		f.push(i+1, s.popDelayed())
	}
	f.arm(i, now)
	f.deliverLocked()
}

// deliverLocked hands the queued deliveries to the target, unless another
// goroutine is doing so already; it is entered with f.mu held and returns
// with f.mu released. The target is called without the lock, so that it
// may send to this channel again and a slow target does not hold up
// senders; one goroutine at a time delivers, in queue order, until the
// queue is empty.
func (f *Faulty[T]) deliverLocked() {
	if f.delivering {
		f.mu.Unlock()
		return
	}
	f.delivering = true
	for len(f.out) > 0 {
		batch := f.out
		f.out, f.spare = f.spare, nil
		f.mu.Unlock()
		var failed uint64
		var first error
		for j := range batch {
			if err := f.target.Send(batch[j]); err != nil {
				failed++
				if first == nil {
					first = err
				}
			}
		}
		clear(batch)
		f.mu.Lock()
		f.spare = batch[:0]
		f.handed += uint64(len(batch))
		f.st.Delivered += uint64(len(batch))
		f.st.Failed += failed
		if f.err == nil {
			f.err = first
		}
		if f.waiters > 0 {
			f.handedOut.Broadcast()
		}
	}
	f.delivering = false
	f.mu.Unlock()
}
