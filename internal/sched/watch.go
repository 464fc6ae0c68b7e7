package sched

import (
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// This file holds the run-next slot's protocol, the owner's side and the
// watcher's, and the watcher, which takes a task that sat in a slot while
// its worker ran something else (see the design notes in sched.go).
//
// A slot (worker.next) is filled only by its owner, and emptied by the
// owner when it claims the task (claimNext) or by the watcher when it
// takes it (take); the two must never both have the same task.
//
// With light fences (linux/amd64 outside race builds, see lightFences)
// the owner uses no locked instruction. It writes the slot with plain
// stores, which on amd64 are release stores: the watcher, reading the
// slot with an atomic (acquire) load, sees everything the waker wrote
// before scheduling the task. A claim is bracketed by two increments of
// worker.takes, so takes is odd while a claim is under way; between the
// increments the owner reads worker.taking, then the slot, and leaves the
// task if taking names it. To take task t after seeing takes == k (even)
// and t in the slot, the watcher stores t in taking, then reads takes
// again and empties the slot only if takes is still k (and the slot still
// holds t, by compare-and-swap). Each side stores, then loads what the
// other stores (Dekker's pattern), so one sees the other:
//   - if the watcher reads k again, no claim had begun when it stored
//     taking (one under way would have made takes odd, a finished one
//     would have moved it past k), so a claim that begins later reads
//     taking == t and leaves t;
//   - otherwise the watcher backs off; t stays for the owner, or for the
//     watcher to try again later.
//
// Store-then-load needs a full fence on each side, or the loads can pass
// the stores. The watcher pays for both: after its store it calls
// processBarrier, which makes every running thread of the process execute
// a full fence, so the owner's increment made before that point is
// visible to the watcher's load, and the owner's read of taking made after
// it sees the watcher's store. (The compiler keeps the owner's plain
// stores and atomic loads in program order: an atomic load is ordered
// after the stores before it.)
//
// Without light fences the slot is an ordinary atomic pointer: the owner
// claims with a swap and the watcher takes with a compare-and-swap, two
// locked instructions per hand-off on amd64 (cheap acquire and release
// instructions on arm64). takes then stays 0, and the watcher may take a
// task that left the slot and came back between its two looks: a task
// moved early, not a task run twice.

// watchEvery is the watcher's period: a task that sat in a run-next slot
// through a whole period, its worker claiming nothing meanwhile, is moved
// to a parked worker (or the global queue). A woken reactor therefore
// waits at most about two periods for a waker whose turn runs long.
const watchEvery = time.Millisecond

// watchQuiet is how many periods in a row the watcher must see every
// run-next slot empty before it sleeps until a worker fills one again.
const watchQuiet = 64

// lightFences reports whether this process has a process-wide barrier
// (processBarrier), so that run-next slots can use plain stores. The first
// call registers the process for it.
var lightFences = sync.OnceValue(registerBarrier)

// nextTask returns the task in w's run-next slot, or nil. Any goroutine.
func (w *worker[T]) nextTask() *T { return (*T)(atomic.LoadPointer(&w.next)) }

// setNext writes w's run-next slot. Owner only; the slot must be empty.
func (w *worker[T]) setNext(t *T) {
	if w.p.light {
		w.next = unsafe.Pointer(t)
	} else {
		atomic.StorePointer(&w.next, unsafe.Pointer(t))
	}
}

// claimNext empties w's run-next slot and returns its task, or returns nil
// when the slot is empty or the watcher is taking its task (the task then
// stays in the slot until the watcher has it or backs off). Owner only.
// With light fences it costs no locked instruction (claimLight, which
// hot paths call directly: claimNext itself is too big to inline).
func (w *worker[T]) claimNext() *T {
	if w.p.light {
		return w.claimLight()
	}
	return w.swapNext()
}

// claimLight is claimNext with light fences.
func (w *worker[T]) claimLight() *T {
	k := w.takes
	w.takes = k + 1 // odd: a claim is under way
	s := atomic.LoadPointer(&w.taking)
	t := atomic.LoadPointer(&w.next)
	if t != s {
		w.next = nil
	} else {
		t = nil
	}
	w.takes = k + 2 // even: no claim under way
	return (*T)(t)
}

// swapNext is claimNext without light fences.
func (w *worker[T]) swapNext() *T { return (*T)(atomic.SwapPointer(&w.next, nil)) }

// take empties w's run-next slot if it still holds t and, with light
// fences, no claim of the owner's has begun since takes read k (even); it
// reports whether it did, and then the caller owns t's scheduling right.
// Watcher only. With light fences it costs a processBarrier.
func (w *worker[T]) take(t *T, k uintptr) bool {
	if !w.p.light {
		return atomic.CompareAndSwapPointer(&w.next, unsafe.Pointer(t), nil)
	}
	if k%2 != 0 {
		return false
	}
	atomic.StorePointer(&w.taking, unsafe.Pointer(t))
	ok := processBarrier() && atomic.LoadUintptr(&w.takes) == k &&
		atomic.CompareAndSwapPointer(&w.next, unsafe.Pointer(t), nil)
	atomic.StorePointer(&w.taking, nil)
	return ok
}

// filled tells a sleeping watcher that a run-next slot was filled. Owner
// only, after the store: a load, and a wake-up once per sleep.
func (p *Pool[T]) filled() {
	if p.watchAsleep.Load() {
		select {
		case p.watchKick <- struct{}{}:
		default:
		}
	}
}

// watch is the watcher's loop: once per period it looks at every run-next
// slot, and a task found in the same slot at two looks in a row, its
// worker having claimed nothing in between (takes unchanged), is taken
// (take) and scheduled as from outside the pool ([Pool.Schedule]): handed to a
// parked worker, or queued globally. It sleeps while the slots stay empty
// (watchSleep). It runs on its own goroutine, started by [NewPool] when the
// pool has two workers or more, and returns at [Pool.Close].
func (p *Pool[T]) watch(every time.Duration) {
	type look struct {
		t     *T
		takes uintptr
	}
	last := make([]look, len(p.workers))
	quiet := 0
	timer := time.NewTimer(every)
	defer timer.Stop()
	for {
		select {
		case <-p.quit:
			return
		case <-timer.C:
		}
		busy := false
		for i, v := range p.workers {
			cur := look{v.nextTask(), atomic.LoadUintptr(&v.takes)}
			if cur.t == nil {
				last[i] = look{}
				continue
			}
			busy = true
			if cur == last[i] && v.take(cur.t, cur.takes) {
				p.Schedule(cur.t)
				cur = look{}
			}
			last[i] = cur
		}
		if busy {
			quiet = 0
		} else if quiet++; quiet >= watchQuiet {
			if !p.watchSleep() {
				return
			}
			quiet = 0
		}
		timer.Reset(every)
	}
}

// watchSleep blocks the watcher until a worker fills a run-next slot; it
// returns false when the pool closes. It registers as asleep and then
// looks at the slots again, while a worker fills a slot and then reads
// watchAsleep (filled): one of the two sees the other.
func (p *Pool[T]) watchSleep() bool {
	p.watchAsleep.Store(true)
	ok := !p.light || processBarrier()
	for _, v := range p.workers {
		if !ok || v.nextTask() != nil {
			p.watchAsleep.Store(false)
			return true
		}
	}
	select {
	case <-p.quit:
		return false
	case <-p.watchKick:
	}
	p.watchAsleep.Store(false)
	return true
}
