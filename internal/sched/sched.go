// Package sched runs reactor turns on goroutines.
//
// # Design notes
//
// A task is a reactor. It is scheduled when it goes from idle to pending
// (the reactor's own state word decides that, exactly once per transition)
// and it runs one turn at a time; a turn reports whether the task wants to
// run again (its budget ran out with work left).
//
// Pool is the default scheduler: a fixed set of workers (GOMAXPROCS by
// default), each with
//   - a run-next slot: a task woken by the turn running on this worker runs
//     next on this worker, inheriting the cache and skipping a goroutine
//     switch (ping-pong and request/reply hand off in place);
//   - a local run queue (256 slots, owner pushes and pops, others steal);
//
// plus one global queue, guarded by mu, for wake-ups from goroutines outside
// the pool. A parked worker sleeps on its own channel; an outside wake-up is
// handed straight to a parked worker when there is one (the lowest latency
// for a request from a plain goroutine). A new task (ScheduleLazy) goes to
// the global queue instead and wakes at most one worker at a time, so a
// burst of spawns does not pay a goroutine wake-up each.
//
// Invariants:
//   - runnext and tick/streak are touched only by the owning worker.
//   - A worker parks only after registering in idle under mu and then
//     re-checking the global queue (under mu) and every local queue. A push
//     to a local queue wakes a parked worker after the push, so one of the
//     two sides sees the other: no lost wake-up.
//   - At most one worker is being woken for stealing at a time (waking), so
//     a burst of local pushes does not wake every worker.
//
// Fairness: a worker takes run-next at most streakCap times in a row when
// its local queue has work, and looks at the global queue first on every
// globalEvery-th turn, so neither a ping-pong pair nor local work can
// starve the rest.
//
// In race builds Schedule skips run-next at random (randomizeRunNext), so
// the tests exercise migration between workers and more interleavings.
//
// Rejected designs:
//   - A stealable run-next slot (Go's runtime) needs an atomic swap on both
//     sides of every hand-off, which costs about as much as the rest of a
//     ping-pong message. The slot is owner-only instead; the price is that a
//     reactor woken by a handler waits for the end of the waker's turn (at
//     most one budget of events) even if another worker is idle.
//   - Spinning before parking: on a two-core machine a cross-core round trip
//     costs ~280 ns, and a spinning worker steals the core of the goroutine it
//     just woke. Workers park at once; nothing spins at rest.
//   - Waking a worker for every outside wake-up through the global queue is
//     slower than handing the task to the parked worker directly.
package sched

import (
	"math/bits"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/reactors-go/reactors/internal/gid"
	"github.com/reactors-go/reactors/internal/owner"
)

const (
	// streakCap bounds consecutive run-next turns while the local queue has
	// work: a ping-pong pair cannot starve the reactors queued behind it.
	streakCap = 32
	// globalEvery makes every 61st turn look at the global queue first, so
	// outside wake-ups are not starved by local work (61 is prime, as in the
	// Go runtime, so it does not beat with other periodic patterns).
	globalEvery = 61
	localSize   = 256
)

// Pool is a fixed set of worker goroutines running turns of *T tasks.
//
// Schedule may be called from any goroutine. Close stops the workers; it
// must be called once no task can be scheduled any more.
type Pool[T any] struct {
	run     func(*T, *owner.Slot) bool // runs one turn; true: run again later
	workers []*worker[T]
	byG     []*worker[T] // open-addressing table keyed by goroutine id, immutable after start
	shift   uint

	mu     sync.Mutex
	global fifo[T]      // guarded by mu
	idle   []*worker[T] // guarded by mu: parked workers
	closed bool         // guarded by mu

	nidle  atomic.Int32 // len(idle), readable without mu
	waking atomic.Bool  // a worker was woken to steal and has not found work yet
	wg     sync.WaitGroup
}

type worker[T any] struct {
	p       *Pool[T]
	id      int
	g       uintptr     // goroutine id, written before the pool is published
	slot    *owner.Slot // the worker goroutine's ownership slot (see internal/owner)
	runnext *T          // owner only
	streak  int         // owner only
	tick    uint32      // owner only
	local   runq[T]
	wake    chan struct{} // capacity 1; a token means "look for work"
	handoff *T            // written under p.mu by the waker, read by the worker after wake
}

// NewPool starts n workers (n >= 1) that run tasks with run, passing the
// worker goroutine's ownership slot. run returns true when the task must
// run again (it is put at the tail of the local queue). NewPool returns
// once every worker is running; it starts n goroutines, which exit at
// Close.
func NewPool[T any](n int, run func(*T, *owner.Slot) bool) *Pool[T] {
	if n < 1 {
		n = 1
	}
	p := &Pool[T]{run: run}
	var started sync.WaitGroup
	started.Add(n)
	for i := range n {
		w := &worker[T]{p: p, id: i, wake: make(chan struct{}, 1)}
		p.workers = append(p.workers, w)
	}
	for _, w := range p.workers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			w.g = gid.Current()
			w.slot = owner.Register()
			defer w.slot.Unregister()
			started.Done()
			// Wait until the lookup table exists before running anything.
			<-w.wake
			w.loop()
		}()
	}
	started.Wait()
	p.buildTable()
	for _, w := range p.workers {
		w.wake <- struct{}{}
	}
	return p
}

func (p *Pool[T]) buildTable() {
	if !gid.Supported {
		return
	}
	size := 1 << bits.Len(uint(4*len(p.workers)))
	p.byG = make([]*worker[T], size)
	p.shift = uint(64 - bits.Len(uint(size-1)))
	for _, w := range p.workers {
		i := p.slot(w.g)
		for p.byG[i] != nil {
			i = (i + 1) & (len(p.byG) - 1)
		}
		p.byG[i] = w
	}
}

func (p *Pool[T]) slot(g uintptr) int {
	return int((uint64(g) * 0x9E3779B97F4A7C15) >> p.shift)
}

// current returns the worker running on the calling goroutine, or nil.
func (p *Pool[T]) current() *worker[T] {
	if len(p.byG) == 0 {
		return nil
	}
	g := gid.Current()
	for i := p.slot(g); ; i = (i + 1) & (len(p.byG) - 1) {
		w := p.byG[i]
		if w == nil || w.g == g {
			return w
		}
	}
}

// Inside reports whether the caller is one of the pool's workers.
func (p *Pool[T]) Inside() bool { return p.current() != nil }

// Schedule makes t runnable. The caller must own t's scheduling right (it
// won the task's idle-to-scheduled switch), so t is in no queue.
//
// From a worker, t goes to that worker's run-next slot. From any other
// goroutine, t is handed to a parked worker, or queued globally when every
// worker is busy.
func (p *Pool[T]) Schedule(t *T) {
	if w := p.current(); w != nil {
		if randomizeRunNext && rand.IntN(2) == 0 {
			w.push(t)
			return
		}
		old := w.runnext
		w.runnext = t
		if old != nil {
			w.push(old)
		}
		return
	}
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.nidle.Add(-1)
		w.handoff = t
		p.mu.Unlock()
		w.wake <- struct{}{}
		return
	}
	p.global.push(t)
	p.mu.Unlock()
}

// ScheduleLazy makes a new task t runnable when nothing waits on it yet
// (a reactor's first turn, which runs its constructor). From a worker, t
// goes to the tail of the local queue, leaving the run-next hand-off alone.
// From elsewhere, t is queued globally and one parked worker is woken,
// unless a worker woken earlier has not yet found its work: spawning many
// reactors from one goroutine then costs a wake-up per burst, not per
// reactor.
func (p *Pool[T]) ScheduleLazy(t *T) {
	if w := p.current(); w != nil {
		w.push(t)
		return
	}
	p.mu.Lock()
	p.global.push(t)
	p.mu.Unlock()
	p.wakeIdle()
}

// Close stops the workers and waits for them to exit. Tasks still queued are
// not run; the caller makes sure there are none.
func (p *Pool[T]) Close() {
	p.mu.Lock()
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.nidle.Store(0)
	p.mu.Unlock()
	for _, w := range idle {
		w.wake <- struct{}{}
	}
	p.wg.Wait()
}

// push puts t on the local queue (or the global one when full) and wakes a
// parked worker to steal it. Owner only.
func (w *worker[T]) push(t *T) {
	p := w.p
	if !w.local.push(t) {
		p.mu.Lock()
		p.global.push(t)
		p.mu.Unlock()
	}
	p.wakeIdle()
}

// wakeIdle wakes a parked worker to look for work, unless none is parked or
// one woken earlier is still looking.
func (p *Pool[T]) wakeIdle() {
	if p.nidle.Load() == 0 || !p.waking.CompareAndSwap(false, true) {
		return
	}
	p.mu.Lock()
	n := len(p.idle)
	if n == 0 {
		p.mu.Unlock()
		p.waking.Store(false)
		return
	}
	v := p.idle[n-1]
	p.idle = p.idle[:n-1]
	p.nidle.Add(-1)
	p.mu.Unlock()
	v.wake <- struct{}{}
}

func (w *worker[T]) loop() {
	p := w.p
	for {
		t, stolen := w.find()
		if stolen {
			// Found work elsewhere: the next wake-up may go out, and goes
			// out now if more work waits globally.
			if p.waking.Load() {
				p.waking.Store(false)
			}
			if p.global.n.Load() > 0 {
				p.wakeIdle()
			}
		}
		if t == nil {
			if !w.park() {
				return
			}
			continue
		}
		if p.run(t, w.slot) {
			w.push(t)
		}
	}
}

// find returns the next task and whether it came from outside this worker's
// own slots (a woken worker that found work lets the next one be woken).
func (w *worker[T]) find() (*T, bool) {
	p := w.p
	w.tick++
	if w.tick%globalEvery == 0 {
		if t := p.popGlobal(); t != nil {
			return t, true
		}
	}
	if t := w.runnext; t != nil {
		if w.streak < streakCap || w.local.empty() {
			w.runnext = nil
			w.streak++
			return t, false
		}
		// Fairness: run the local queue's head and let run-next wait its turn.
		w.runnext = nil
		w.push(t)
	}
	w.streak = 0
	if t := w.local.pop(); t != nil {
		return t, false
	}
	if t := p.popGlobal(); t != nil {
		return t, true
	}
	n := len(p.workers)
	for i := range n {
		v := p.workers[(w.id+1+i)%n]
		if v == w {
			continue
		}
		if t := v.local.pop(); t != nil {
			return t, true
		}
	}
	return nil, false
}

func (p *Pool[T]) popGlobal() *T {
	if p.global.n.Load() == 0 {
		return nil
	}
	p.mu.Lock()
	t := p.global.pop()
	p.mu.Unlock()
	return t
}

// park blocks until the worker is given work or the pool closes (false).
func (w *worker[T]) park() bool {
	p := w.p
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return false
	}
	if t := p.global.pop(); t != nil {
		p.mu.Unlock()
		w.runnext = t
		return true
	}
	p.idle = append(p.idle, w)
	p.nidle.Add(1)
	p.mu.Unlock()
	if p.waking.Load() {
		p.waking.Store(false)
	}
	// Re-check the local queues: a push that happened before we registered
	// saw no idle worker and woke nobody.
	for _, v := range p.workers {
		if v != w && !v.local.empty() {
			p.mu.Lock()
			for i, x := range p.idle {
				if x == w {
					p.idle = append(p.idle[:i], p.idle[i+1:]...)
					p.nidle.Add(-1)
					p.mu.Unlock()
					return true
				}
			}
			p.mu.Unlock()
			break // somebody already took us off the idle list and will wake us
		}
	}
	<-w.wake
	p.mu.Lock()
	t, closed := w.handoff, p.closed
	w.handoff = nil
	p.mu.Unlock()
	if t != nil {
		w.runnext = t
		return true
	}
	return !closed
}
