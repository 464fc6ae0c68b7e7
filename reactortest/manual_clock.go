package reactortest

import (
	"sync"
	"time"
)

// ManualClock is a [Clock] whose time moves only when [ManualClock.Advance]
// is called, so that tests run delays deterministically and without sleeping.
// Create one with [NewManualClock]; the zero value is not usable.
//
// All methods are safe for concurrent use. A ManualClock must not be
// copied after first use.
type ManualClock struct {
	adv sync.Mutex // serializes Advance

	mu     sync.Mutex // protects the fields below
	now    time.Time
	seq    uint64         // AfterFunc calls so far: the tie-break among equal due times
	timers []*manualTimer // min-heap by (at, seq)
}

// manualEpoch is the time a [ManualClock] starts at: a fixed instant, so
// that times seen in tests do not depend on when they run.
var manualEpoch = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// NewManualClock returns a clock with no timers, standing at a fixed
// instant (2000-01-01 00:00 UTC) so that the times tests see do not
// depend on when they run.
func NewManualClock() *ManualClock { return &ManualClock{now: manualEpoch} }

// Now returns the clock's current time. During [ManualClock.Advance], a
// timer's function sees the instant its timer fell due.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc arranges for f to be called by the [ManualClock.Advance] that
// reaches d from now, on Advance's goroutine. A timer with d <= 0 is due at
// once and is called by the next Advance, even Advance(0). It costs one small
// allocation and O(log n) for n pending timers.
func (c *ManualClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &manualTimer{c: c, at: c.now.Add(max(d, 0)), seq: c.seq, f: f}
	c.seq++
	c.push(t)
	return t
}

// Advance moves the clock forward by d and calls, one at a time on the
// calling goroutine, every timer function that falls due on the way, in order
// of due time and, for equal due times, of their [ManualClock.AfterFunc]
// calls. Each runs with [ManualClock.Now] at its due time; timers set by
// those functions run too if they fall due within the window. When Advance
// returns, Now is the old time plus d. It reports how many functions it
// called.
//
// Concurrent calls run one after the other. A timer's function must not
// call Advance (it would wait for itself). It panics if d < 0.
func (c *ManualClock) Advance(d time.Duration) int {
	if d < 0 {
		panic("reactortest: ManualClock.Advance with negative duration")
	}
	c.adv.Lock()
	defer c.adv.Unlock()
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	n := 0
	for {
		c.mu.Lock()
		if len(c.timers) == 0 || c.timers[0].at.After(end) {
			c.now = end
			c.mu.Unlock()
			return n
		}
		t := c.pop()
		c.now = t.at
		c.mu.Unlock()
		t.f() // without the lock: f may call AfterFunc, Stop and Now
		n++
	}
}

// Pending returns the number of timers not yet called or stopped.
func (c *ManualClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// Next reports how long from now the earliest pending timer falls due
// (0 if it is already due), and false if no timer is pending. Advancing
// by Next's duration runs at least that timer.
func (c *ManualClock) Next() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return 0, false
	}
	return max(c.timers[0].at.Sub(c.now), 0), true
}

// manualTimer is a pending [ManualClock.AfterFunc] of a [ManualClock].
type manualTimer struct {
	c     *ManualClock
	at    time.Time
	seq   uint64
	f     func()
	index int // position in c.timers; -1 once popped or stopped (guarded by c.mu)
}

// Stop cancels the timer; it reports whether the timer was pending.
func (t *manualTimer) Stop() bool {
	c := t.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.index < 0 {
		return false
	}
	c.remove(t.index)
	return true
}

// The heap below is container/heap's algorithm written for one type, to
// avoid its interface conversions. Callers hold c.mu.

func (c *ManualClock) less(i, j int) bool {
	a, b := c.timers[i], c.timers[j]
	if !a.at.Equal(b.at) {
		return a.at.Before(b.at)
	}
	return a.seq < b.seq
}

func (c *ManualClock) swap(i, j int) {
	c.timers[i], c.timers[j] = c.timers[j], c.timers[i]
	c.timers[i].index, c.timers[j].index = i, j
}

func (c *ManualClock) push(t *manualTimer) {
	t.index = len(c.timers)
	c.timers = append(c.timers, t)
	c.up(t.index)
}

func (c *ManualClock) pop() *manualTimer {
	t := c.timers[0]
	c.remove(0)
	return t
}

func (c *ManualClock) remove(i int) {
	n := len(c.timers) - 1
	t := c.timers[i]
	if i != n {
		c.swap(i, n)
	}
	c.timers[n] = nil
	c.timers = c.timers[:n]
	if i != n && !c.down(i) {
		c.up(i)
	}
	t.index = -1
}

func (c *ManualClock) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !c.less(i, p) {
			return
		}
		c.swap(i, p)
		i = p
	}
}

// down sifts element i down; it reports whether the element moved.
func (c *ManualClock) down(i int) bool {
	n, i0 := len(c.timers), i
	for {
		l := 2*i + 1
		if l >= n {
			return i > i0
		}
		m := l
		if r := l + 1; r < n && c.less(r, l) {
			m = r
		}
		if !c.less(m, i) {
			return i > i0
		}
		c.swap(i, m)
		i = m
	}
}
