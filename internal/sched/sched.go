// Package sched runs reactor turns on goroutines.
//
// # Design notes
//
// A task is a reactor. It is scheduled when it goes from idle to pending
// (the reactor's own state word decides that, exactly once per transition)
// and it runs one turn at a time; a turn reports whether the task wants to
// run again (its budget ran out with work left).
//
// [Pool] is the default scheduler: a fixed set of workers (GOMAXPROCS by
// default), each with
//   - a run-next slot: a task woken by the turn running on this worker runs
//     next on this worker, inheriting the cache and skipping a goroutine
//     switch (ping-pong and request/reply hand off in place);
//   - a local run queue (256 slots, owner pushes and pops, others steal);
//
// plus one global queue, guarded by mu, for wake-ups from goroutines outside
// the pool. A parked worker sleeps on its own channel; an outside wake-up is
// handed straight to a parked worker when there is one (the lowest latency
// for a request from a plain goroutine). A new task ([Pool.ScheduleLazy]) goes to
// the global queue instead and wakes at most one worker at a time, so a
// burst of spawns does not pay a goroutine wake-up each.
//
// A pool of two workers or more also has a watcher (watch.go), for the one
// case where run-next is slower than another worker: a handler wakes a
// reactor and then runs on for long (a long computation), and the woken
// reactor waits in the slot for the end of the waker's turn while other
// workers idle. Once a millisecond (watchEvery) the watcher looks at every
// slot; a task it finds in the same slot at two looks in a row, its worker
// having claimed nothing in between, has waited a whole period while the
// worker ran something else, and the watcher takes it and hands it to a
// parked worker (or the global queue). A woken reactor so waits one to two
// milliseconds for a busy waker (plus the wake-up of a parked worker), not
// the waker's whole turn. The watcher sleeps while every slot stays empty
// (watchQuiet periods) and is woken by the next worker that fills one:
// nothing ticks at rest. It needs a processor to run: when every processor
// runs a worker, it runs when the Go runtime preempts one (after 10 ms),
// and then no worker is idle anyway.
//
// The hand-off stays almost as cheap as with an owner-only slot. The slot
// can be taken by another goroutine only if the owner publishes it when it
// fills it (the handler that then runs long is the same turn, and no
// scheduler code runs again before it ends), and only if the owner's claim
// and the watcher's take exclude each other; in Go every atomic store or
// swap is a locked instruction on amd64. Instead the owner uses plain
// stores (release stores on amd64) and a claim bracketed by two plain
// increments of a counter, and the watcher pays for the fences of both
// sides with membarrier(2), which makes every running thread of the
// process execute a full fence: Dekker's handshake with one side's fence
// moved to the other, as userspace RCU does. The watcher calls it only
// when it is about to take a task (or fall asleep). The owner's extra
// loads and stores cost 2-3 ns per hand-off: two tasks passing a token
// through the slot (BenchmarkPoolRunNext) take 12 ns of CPU time per
// hand-off with an owner-only slot, 15 with this one, 20 with a swap and a
// compare-and-swap (two-core amd64). Where membarrier is not available
// (other systems, race builds) the slot is an atomic pointer: the owner
// claims with a swap and the watcher takes with a compare-and-swap.
//
// Invariants:
//   - A run-next slot is filled only by its owner, and emptied by its owner
//     (claimNext) or by the watcher (take), never both for one stay of a
//     task in the slot. tick and streak are touched only by the owner.
//   - A worker parks only after registering in idle under mu and then
//     re-checking the global queue (under mu) and every local queue. A push
//     to a local queue wakes a parked worker after the push, so one of the
//     two sides sees the other: no lost wake-up. A task left in a parked
//     worker's slot is the watcher's, which does not sleep while any slot
//     holds a task.
//   - At most one worker is being woken for stealing at a time (waking), so
//     a burst of local pushes does not wake every worker.
//
// Fairness: a worker takes run-next at most streakCap times in a row when
// its local queue has work, and looks at the global queue first on every
// globalEvery-th turn, so neither a ping-pong pair nor local work can
// starve the rest.
//
// In race builds [Pool.Schedule] skips run-next at random (randomizeRunNext), so
// the tests exercise migration between workers and more interleavings.
//
// Rejected designs:
//   - A run-next slot that idle workers steal from as in Go's runtime (an
//     atomic swap on the owner's side of every hand-off, a compare-and-swap
//     on the thief's, the thief waiting a few microseconds first): the
//     locked instructions cost about 8-9 ns of CPU time per hand-off, on a
//     ping-pong message of about 60 ns (two-core amd64). It remains the
//     fallback where membarrier is missing.
//   - An owner-only slot (this package's first design): a woken reactor
//     waited for the end of its waker's turn, however long, while other
//     workers idled.
//   - Publishing the slot, or moving its task to the local queue, only
//     when the worker starts a turn with the slot occupied: the slot is
//     filled during the turn that then runs long, so no turn starts until
//     it ends.
//   - Waking an idle worker at each hand-off to watch the slot (Go wakes a
//     spinning thread when it readies a goroutine): a goroutine wake-up, a
//     microsecond or more, per message.
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
	"time"
	"unsafe"

	"github.com/reactors-go/reactors/internal/gid"
	"github.com/reactors-go/reactors/internal/owner"
	"github.com/reactors-go/reactors/internal/relaxed"
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
// [Pool.Schedule] may be called from any goroutine. [Pool.Close] stops the
// workers; it must be called once no task can be scheduled any more.
type Pool[T any] struct {
	run     func(*T, *owner.Slot) bool // runs one turn; true: run again later
	workers []*worker[T]
	byG     []*worker[T] // open-addressing table keyed by goroutine id, immutable after start
	shift   uint

	mu     sync.Mutex
	global fifo[T]      // guarded by mu
	idle   []*worker[T] // guarded by mu: parked workers
	closed bool         // guarded by mu

	// nidle is len(idle), written under mu with a plain store
	// (setIdle) and read without mu by wakeIdle. A reader that sees a
	// stale count either takes mu and finds the list empty, or skips a
	// wake-up that the parker makes unnecessary: a parker stores the
	// count and then unlocks mu (a full fence) before it re-checks the
	// local queues, and a pusher stores its task (a full fence) before
	// it reads the count, so one of the two sees the other.
	nidle  atomic.Uint32
	waking atomic.Bool // a worker was woken to steal and has not found work yet
	wg     sync.WaitGroup

	light       bool          // run-next slots use plain stores (see watch.go); fixed at NewPool
	watchAsleep atomic.Bool   // the watcher sleeps until a run-next slot is filled
	watchKick   chan struct{} // capacity 1: wakes a sleeping watcher
	quit        chan struct{} // closed by Close: the watcher returns
}

type worker[T any] struct {
	p       *Pool[T]
	id      int
	g       uintptr        // goroutine id, written before the pool is published
	slot    *owner.Slot    // the worker goroutine's ownership slot (see internal/owner)
	next    unsafe.Pointer // *T, the run-next slot: written by the owner, emptied by the watcher (watch.go)
	takes   uintptr        // claims begun plus ended (odd: one under way): written by the owner, read by the watcher
	taking  unsafe.Pointer // *T, written by the watcher: the run-next task it is taking
	streak  int            // owner only
	tick    uint32         // owner only
	local   runq[T]
	wake    chan struct{} // capacity 1; a token means "look for work"
	handoff *T            // written by the waker (under p.mu) before its wake send, read by the worker after it

	// Counters for Stats. The owner counts in plain fields and publishes
	// them every publishEvery turns and when it parks, and writes them
	// with relaxed stores (internal/relaxed): an atomic store is a locked
	// instruction on amd64, too dear per turn, and a park costs five.
	nTurns, nSteals uint64 // owner only
	turns           atomic.Uint64
	steals          atomic.Uint64
	parks           atomic.Uint64
	parked          atomic.Uint32 // 1 while parked
}

// publishEvery is how many turns a worker runs between publications of
// its counters (see worker.turns).
const publishEvery = 64

// publish makes the owner's counts visible to Stats. Owner only.
func (w *worker[T]) publish() {
	relaxed.StoreUint64(&w.turns, w.nTurns)
	relaxed.StoreUint64(&w.steals, w.nSteals)
}

// NewPool starts n workers (n >= 1) that run tasks with run, passing the
// worker goroutine's ownership slot. run returns true when the task must
// run again (it is put at the tail of the local queue). NewPool returns
// once every worker is running; it starts n goroutines, and one more (the
// watcher) when n >= 2, which exit at [Pool.Close].
func NewPool[T any](n int, run func(*T, *owner.Slot) bool) *Pool[T] {
	// One worker has no watcher, so its slot needs no fence protocol;
	// but Stats reads the slot from other goroutines, which the race
	// detector reports against plain stores: race builds use the atomic
	// slot.
	return newPool(n, run, (n == 1 && !raceBuild) || lightFences(), watchEvery)
}

// newPool is [NewPool] with the fence mode and the watcher's period chosen
// by the caller (tests run both modes, and a short period).
func newPool[T any](n int, run func(*T, *owner.Slot) bool, light bool, every time.Duration) *Pool[T] {
	if n < 1 {
		n = 1
	}
	p := &Pool[T]{run: run, light: light, watchKick: make(chan struct{}, 1), quit: make(chan struct{})}
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
	if n >= 2 {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.watch(every)
		}()
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
// From a worker, t goes to that worker's run-next slot (a task already
// there moves to the local queue): it runs when the caller's turn ends,
// or on an idle worker if it is still waiting a watcher period or two
// later. With light fences this costs no locked instruction. From any
// other goroutine, t is handed to a parked worker, or queued globally
// when every worker is busy.
func (p *Pool[T]) Schedule(t *T) {
	if w := p.current(); w != nil {
		if randomizeRunNext && rand.IntN(2) == 0 {
			w.push(t)
			return
		}
		if w.nextTask() != nil {
			if old := w.claimNext(); old != nil {
				w.push(old)
			} else if w.nextTask() != nil {
				w.push(t) // the watcher is taking the slot's task: leave it
				return
			}
		}
		w.setNext(t)
		p.filled()
		return
	}
	p.ScheduleOutside(t)
}

// ScheduleOutside is [Pool.Schedule] for a caller known not to be one
// of the pool's workers, which saves looking the caller up. It reports
// whether it woke a parked worker for t. That worker's goroutine was
// made runnable by the caller, so the Go runtime runs it next on the
// caller's processor: a caller about to wait for t's turn can yield
// (runtime.Gosched) and usually find the turn over when it resumes.
func (p *Pool[T]) ScheduleOutside(t *T) (woke bool) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.setIdle()
		w.handoff = t
		p.mu.Unlock()
		w.wake <- struct{}{}
		return true
	}
	p.global.push(t)
	p.mu.Unlock()
	return false
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
	first := !p.closed
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.setIdle()
	p.mu.Unlock()
	for _, w := range idle {
		w.wake <- struct{}{}
	}
	if first {
		close(p.quit)
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

// setIdle publishes len(p.idle) to nidle with a plain store: an atomic
// one is a locked instruction on amd64, and a park and its wake-up each
// change the count (see nidle for why no fence is needed). Caller holds
// p.mu.
func (p *Pool[T]) setIdle() { relaxed.StoreUint32(&p.nidle, uint32(len(p.idle))) }

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
	p.setIdle()
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
			var ok bool
			if t, ok = w.park(); !ok {
				return
			}
			if t == nil {
				continue
			}
		}
		w.nTurns++
		if stolen {
			w.nSteals++
		}
		if w.nTurns%publishEvery == 0 {
			w.publish()
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
	if w.nextTask() != nil {
		var t *T
		if p.light {
			t = w.claimLight()
		} else {
			t = w.swapNext()
		}
		if t != nil {
			if w.streak < streakCap || w.local.empty() {
				w.streak++
				return t, false
			}
			// Fairness: run the local queue's head and let run-next wait its turn.
			w.push(t)
		}
	}
	w.streak = 0
	if t := w.local.pop(); t != nil {
		return t, false
	}
	if t := p.popGlobal(); t != nil {
		return t, true
	}
	// Steal, starting after this worker (no division: an integer
	// division costs as much as the rest of a failed look).
	for i, j := 1, w.id; i < len(p.workers); i++ {
		if j++; j == len(p.workers) {
			j = 0
		}
		if t := p.workers[j].local.pop(); t != nil {
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
// It returns the task handed to the worker, or nil when the worker must
// look for work again.
func (w *worker[T]) park() (*T, bool) {
	p := w.p
	w.publish() // also on the way out at Close
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, false
	}
	if t := p.global.pop(); t != nil {
		p.mu.Unlock()
		return t, true
	}
	p.idle = append(p.idle, w)
	p.setIdle()
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
					p.setIdle()
					p.mu.Unlock()
					return nil, true
				}
			}
			p.mu.Unlock()
			break // somebody already took us off the idle list and will wake us
		}
	}
	relaxed.StoreUint64(&w.parks, w.parks.Load()+1)
	relaxed.StoreUint32(&w.parked, 1)
	<-w.wake
	relaxed.StoreUint32(&w.parked, 0)
	// The waker took w off the idle list and wrote handoff before its
	// send, so the receive orders that write before this read, and no
	// other goroutine writes handoff until w parks again.
	if t := w.handoff; t != nil {
		w.handoff = nil
		return t, true
	}
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	return nil, !closed
}
