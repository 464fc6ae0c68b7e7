package sched

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/reactors-go/reactors/internal/owner"
)

// fenceModes lists the run-next fence modes this build can run: plain
// stores (light) where the process-wide barrier exists, atomic stores
// everywhere.
func fenceModes() []bool {
	if lightFences() {
		return []bool{true, false}
	}
	return []bool{false}
}

func modeName(light bool) string {
	if light {
		return "light"
	}
	return "fenced"
}

// fnTask runs its function at each turn.
type fnTask struct{ fn func() }

func runFn(t *fnTask, _ *owner.Slot) bool {
	t.fn()
	return false
}

// TestIdleWorkerRunsTaskWokenByLongTurn has a turn wake a task (which goes
// to its worker's run-next slot) and then keep its worker, blocked on a
// channel (in real use, a long computation): an idle worker runs the woken
// task meanwhile.
func TestIdleWorkerRunsTaskWokenByLongTurn(t *testing.T) {
	for _, light := range fenceModes() {
		t.Run(modeName(light), func(t *testing.T) {
			defer goleak.VerifyNone(t)
			var p *Pool[fnTask]
			ran := make(chan struct{})
			release := make(chan struct{})
			b := &fnTask{fn: func() { close(ran) }}
			a := &fnTask{fn: func() {
				p.Schedule(b)
				<-release
			}}
			p = newPool(2, runFn, light, watchEvery)
			defer p.Close()
			defer close(release)
			p.Schedule(a)
			select {
			case <-ran:
			case <-time.After(10 * time.Second):
				t.Fatal("the woken task did not run while its waker held the other worker")
			}
		})
	}
}

// TestRunNextClaimAndTakeExclude drives one worker's run-next slot from a
// single goroutine through the owner's and the watcher's sides. In both
// modes the watcher takes a task that sat in the slot, and a taken task is
// gone for the owner. With light fences the watcher also backs off when
// the owner claimed since the watcher looked (even when the same task is
// back in the slot), and the owner leaves a task the watcher is taking.
func TestRunNextClaimAndTakeExclude(t *testing.T) {
	for _, light := range fenceModes() {
		t.Run(modeName(light), func(t *testing.T) {
			w := &worker[fnTask]{p: &Pool[fnTask]{light: light}}
			x := new(fnTask)

			w.setNext(x)
			k := atomic.LoadUintptr(&w.takes)
			require.True(t, w.take(x, k), "a task that sat in the slot is taken")
			require.Nil(t, w.nextTask())
			require.Nil(t, w.claimNext(), "a taken task is gone for the owner")

			w.setNext(x)
			k = atomic.LoadUintptr(&w.takes)
			require.Same(t, x, w.claimNext())
			require.False(t, w.take(x, k), "the slot is empty")
			if !light {
				return
			}
			w.setNext(x) // woken again: the same task, a new stay in the slot
			require.False(t, w.take(x, k), "the owner claimed since the watcher looked")
			require.False(t, w.take(x, k+1), "a claim was under way")
			require.Same(t, x, w.nextTask())

			atomic.StorePointer(&w.taking, unsafe.Pointer(x))
			require.Nil(t, w.claimNext(), "the owner leaves a task being taken")
			require.Same(t, x, w.nextTask())
			atomic.StorePointer(&w.taking, nil)
			require.Same(t, x, w.claimNext(), "a task the watcher backed off from is the owner's")
			require.Nil(t, w.nextTask())
		})
	}
}

// TestRunNextClaimRacesTake has an owner fill a slot and claim it back,
// over and over, while a watcher takes from it as soon as it sees a task
// (without waiting a period, to race as closely as it can); the owner
// claims at once, after a short spin, or not until the watcher has taken
// the task. Every task is had by exactly one of them.
func TestRunNextClaimRacesTake(t *testing.T) {
	const n = 2000
	for _, light := range fenceModes() {
		t.Run(modeName(light), func(t *testing.T) {
			w := &worker[fnTask]{p: &Pool[fnTask]{light: light}}
			tasks := make([]fnTask, n)
			had := make([]atomic.Int32, n)
			index := func(x *fnTask) int {
				return int((uintptr(unsafe.Pointer(x)) - uintptr(unsafe.Pointer(&tasks[0]))) / unsafe.Sizeof(tasks[0]))
			}
			var taken atomic.Int64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					x, k := w.nextTask(), atomic.LoadUintptr(&w.takes)
					if x != nil && w.take(x, k) {
						had[index(x)].Add(1)
						taken.Add(1)
					}
					runtime.Gosched() // the owner's turn, with one processor
				}
			})
			rng := rand.New(rand.NewPCG(4, 0))
			for i := range tasks {
				w.setNext(&tasks[i])
				// Claim at once, after a short spin (racing the watcher
				// where it runs in parallel), or not before the watcher
				// has taken the task.
				switch rng.IntN(4) {
				case 0:
				case 3:
					for w.nextTask() != nil {
						runtime.Gosched()
					}
				default:
					for j := rng.IntN(4096); j > 0 && w.nextTask() != nil; j-- {
					}
				}
				for w.nextTask() != nil {
					if x := w.claimNext(); x != nil {
						had[index(x)].Add(1)
					}
				}
			}
			close(stop)
			wg.Wait()
			for i := range had {
				require.EqualValues(t, 1, had[i].Load(), "task %d", i)
			}
			t.Logf("the watcher took %d of %d tasks", taken.Load(), n)
		})
	}
}

// TestScheduleLeavesRunNextBeingTaken wakes a task from a turn while the
// watcher (with light fences) is taking the task already in the slot; the
// turn plays the watcher's part by hand, and the real watcher is kept out
// by a long period. The new task goes to the local queue, the slot's task
// stays, and each runs once.
func TestScheduleLeavesRunNextBeingTaken(t *testing.T) {
	if !lightFences() {
		t.Skip("only light fences have a slot being taken: otherwise the watcher takes in one step")
	}
	defer goleak.VerifyNone(t)
	var p *Pool[fnTask]
	var xRuns, yRuns atomic.Int32
	done := newCountdown(2)
	x := &fnTask{fn: func() { xRuns.Add(1); done.dec() }}
	y := &fnTask{fn: func() { yRuns.Add(1); done.dec() }}
	var sawX, localY atomic.Bool
	a := &fnTask{fn: func() {
		w := p.current()
		p.Schedule(x)
		atomic.StorePointer(&w.taking, unsafe.Pointer(x))
		p.Schedule(y)
		sawX.Store(w.nextTask() == x)
		localY.Store(!w.local.empty())
		atomic.StorePointer(&w.taking, nil)
	}}
	p = newPool(1, runFn, true, time.Hour) // one worker: nobody steals y from the local queue
	defer p.Close()
	p.Schedule(a)
	waitClosed(t, done.done, "both woken tasks")
	require.True(t, sawX.Load(), "the task being taken left the slot")
	require.True(t, localY.Load(), "the new task is not in the local queue")
	require.EqualValues(t, 1, xRuns.Load())
	require.EqualValues(t, 1, yRuns.Load())
}

// duo is a ping-pong pair passing one token. Each side is scheduled the
// way reactors are, through a state word (a side woken while it runs is
// marked notified and runs again later), and checks that it never runs on
// two workers at once.
type duo struct {
	left     atomic.Int64 // hops still to make
	sides    [2]duoSide
	overlaps *atomic.Int64
	done     *countdown
	pool     **Pool[duoSide]
}

type duoSide struct {
	d       *duo
	peer    *duoSide
	state   atomic.Uint32 // tsIdle, tsScheduled, tsScheduled|tsNotified
	tokens  atomic.Int64  // tokens received and not yet handled
	running atomic.Bool
	turns   int // tokens handled
}

func (s *duoSide) notify() {
	s.tokens.Add(1)
	for {
		st := s.state.Load()
		switch {
		case st == tsIdle:
			if s.state.CompareAndSwap(tsIdle, tsScheduled) {
				(*s.d.pool).Schedule(s)
				return
			}
		case st&tsNotified != 0:
			return
		default:
			if s.state.CompareAndSwap(st, st|tsNotified) {
				return
			}
		}
	}
}

// runDuo handles the side's tokens; every stallEvery-th hop it keeps its
// worker for 0 to 4 of the watcher's periods after passing the token on,
// yielding the processor meanwhile so that the watcher runs.
func runDuo(s *duoSide, every time.Duration, stallEvery int64) bool {
	if s.running.Swap(true) {
		s.d.overlaps.Add(1)
	}
	for k := s.tokens.Swap(0); k > 0; k-- {
		s.turns++
		n := s.d.left.Add(-1)
		if n > 0 {
			s.peer.notify()
		}
		if n%stallEvery == 0 {
			stall := time.Duration(n/stallEvery%5) * every
			for start := time.Now(); time.Since(start) < stall; {
				runtime.Gosched()
			}
		}
		if n == 0 {
			s.d.done.dec()
		}
	}
	s.running.Store(false)
	if s.state.CompareAndSwap(tsScheduled, tsIdle) {
		return false
	}
	s.state.Store(tsScheduled)
	return true
}

// TestRunNextRunsOnceWhileWatcherTakes runs ping-pong pairs through the
// run-next slot while some turns keep their worker for up to a few of the
// watcher's (shortened) periods after waking their peer: the watcher takes
// waiting tasks, some of them just as their workers claim them. No task
// runs twice at once, and every side handles exactly its share of hops.
func TestRunNextRunsOnceWhileWatcherTakes(t *testing.T) {
	const pairs, rounds, stallEvery = 8, 400, 4
	const every = 20 * time.Microsecond
	for _, light := range fenceModes() {
		t.Run(modeName(light), func(t *testing.T) {
			defer goleak.VerifyNone(t)
			var p *Pool[duoSide]
			var overlaps atomic.Int64
			done := newCountdown(pairs)
			duos := make([]*duo, pairs)
			for i := range duos {
				d := &duo{overlaps: &overlaps, done: done, pool: &p}
				d.left.Store(2 * rounds)
				for s := range d.sides {
					d.sides[s].d = d
					d.sides[s].peer = &d.sides[1-s]
				}
				duos[i] = d
			}
			p = newPool(2, func(s *duoSide, _ *owner.Slot) bool {
				return runDuo(s, every, stallEvery)
			}, light, every)
			for _, d := range duos {
				d.sides[0].notify()
			}
			waitClosed(t, done.done, "every pair to finish")
			p.Close()
			require.Zero(t, overlaps.Load(), "a task ran on two workers at once")
			for _, d := range duos {
				require.Equal(t, rounds, d.sides[0].turns)
				require.Equal(t, rounds, d.sides[1].turns)
			}
		})
	}
}

// hopTask passes the token to next.
type hopTask struct{ next *hopTask }

// BenchmarkPoolRunNext passes one token through the run-next slots of a
// two-worker pool, between two tasks (pair) or around a ring of 503; ns/op
// is per hand-off. slot=fenced is the slot without membarrier (atomic
// instructions on both sides).
func BenchmarkPoolRunNext(b *testing.B) {
	for _, shape := range []struct {
		name  string
		tasks int
	}{{"pair", 2}, {"ring", 503}} {
		for _, light := range fenceModes() {
			b.Run("shape="+shape.name+"/slot="+modeName(light), func(b *testing.B) {
				var p *Pool[hopTask]
				left := b.N
				done := make(chan struct{})
				tasks := make([]hopTask, shape.tasks)
				for i := range tasks {
					tasks[i].next = &tasks[(i+1)%len(tasks)]
				}
				p = newPool(2, func(t *hopTask, _ *owner.Slot) bool {
					if left--; left > 0 {
						p.Schedule(t.next)
					} else {
						close(done)
					}
					return false
				}, light, watchEvery)
				defer p.Close()
				b.ResetTimer()
				p.Schedule(&tasks[0])
				<-done
			})
		}
	}
}
