package sched

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reactors-go/reactors/internal/owner"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const poolTimeout = 30 * time.Second

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(poolTimeout):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// countdown closes done when n reaches zero.
type countdown struct {
	n    atomic.Int64
	done chan struct{}
}

func newCountdown(n int64) *countdown {
	c := &countdown{done: make(chan struct{})}
	c.n.Store(n)
	if n == 0 {
		close(c.done)
	}
	return c
}

func (c *countdown) dec() {
	if c.n.Add(-1) == 0 {
		close(c.done)
	}
}

// ---------------------------------------------------------------------------
// One-shot tasks: a forest scheduled from outside, grown from inside.

// treeTask is scheduled exactly once. Its first turn schedules its children
// (from inside a worker); it asks for extra turns again times.
type treeTask struct {
	children []*treeTask
	again    int32
	turns    atomic.Int32
	running  atomic.Bool
	overlaps *atomic.Int64
	finished *countdown
	pool     **Pool[treeTask]
}

func runTree(t *treeTask, _ *owner.Slot) bool {
	if t.running.Swap(true) {
		t.overlaps.Add(1)
	}
	defer t.running.Store(false)
	n := t.turns.Add(1)
	if n == 1 {
		for _, c := range t.children {
			(*t.pool).Schedule(c)
		}
	}
	if n <= t.again {
		return true
	}
	t.finished.dec()
	return false
}

// buildForest returns roots trees of the given depth and fan-out, and all
// their nodes.
func buildForest(rng *rand.Rand, roots, depth, fan int, overlaps *atomic.Int64, pool **Pool[treeTask]) ([]*treeTask, []*treeTask, *countdown) {
	var all []*treeTask
	var build func(d int) *treeTask
	build = func(d int) *treeTask {
		t := &treeTask{overlaps: overlaps, pool: pool}
		if rng.IntN(8) == 0 {
			t.again = int32(1 + rng.IntN(3))
		}
		all = append(all, t)
		if d < depth {
			for range fan {
				t.children = append(t.children, build(d+1))
			}
		}
		return t
	}
	var rs []*treeTask
	for range roots {
		rs = append(rs, build(0))
	}
	fin := newCountdown(int64(len(all)))
	for _, t := range all {
		t.finished = fin
	}
	return rs, all, fin
}

// TestPoolRunsEachScheduleOnce schedules the roots of many trees from
// several outside goroutines; each task schedules its children from inside
// its turn. Every task runs exactly 1+again turns, never two at once, and
// Close leaves no goroutine.
func TestPoolRunsEachScheduleOnce(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		workers, roots, depth int
		fan, outside          int
	}{
		{"4workers", 4, 2000, 2, 3, 4},
		{"1worker", 1, 500, 3, 3, 2},
		{"2workersWide", 2, 50, 1, 600, 2}, // overflows the local run queue
		{"8workersDeep", 8, 200, 6, 2, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer goleak.VerifyNone(t)
			var overlaps atomic.Int64
			var p *Pool[treeTask]
			rng := rand.New(rand.NewPCG(1, uint64(tc.workers)))
			roots, all, fin := buildForest(rng, tc.roots, tc.depth, tc.fan, &overlaps, &p)
			p = NewPool(tc.workers, runTree)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for g := range tc.outside {
				wg.Go(func() {
					<-start
					for i := g; i < len(roots); i += tc.outside {
						p.Schedule(roots[i])
					}
				})
			}
			close(start)
			wg.Wait()
			waitClosed(t, fin.done, "every task to finish")
			p.Close()
			require.Zero(t, overlaps.Load(), "a task ran on two workers at once")
			for i, task := range all {
				require.Equal(t, task.again+1, task.turns.Load(), "task %d", i)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// Reusable tasks with a state word, like reactors.

const (
	tsIdle      uint32 = 0
	tsScheduled uint32 = 1
	tsNotified  uint32 = 2
)

// wordTask mimics a reactor: notify adds work and schedules the task when it
// goes from idle to scheduled (exactly once per transition); a turn handles
// up to budget units, and while it works, other tasks may be notified from
// inside it.
type wordTask struct {
	id       int
	state    atomic.Uint32
	work     atomic.Int64 // units added, not yet taken
	handled  int64        // owner only (the turn holding the scheduling right)
	running  atomic.Bool
	env      *wordEnv
	rng      *rand.Rand // owner only
	inside   int64      // owner only: notifications this task made from its turns
	overlaps *atomic.Int64
}

type wordEnv struct {
	pool         *Pool[wordTask]
	tasks        []*wordTask
	budget       int64
	insideLeft   atomic.Int64 // notifications still to be made from inside turns
	remaining    *countdown   // units not yet handled
	insideFailed atomic.Int64 // Inside() was false in a turn
}

func (t *wordTask) notify(units int64) {
	t.work.Add(units)
	for {
		s := t.state.Load()
		switch {
		case s == tsIdle:
			if t.state.CompareAndSwap(tsIdle, tsScheduled) {
				t.env.pool.Schedule(t)
				return
			}
		case s&tsNotified != 0:
			return
		default:
			if t.state.CompareAndSwap(s, s|tsNotified) {
				return
			}
		}
	}
}

func runWord(t *wordTask, _ *owner.Slot) bool {
	if t.running.Swap(true) {
		t.overlaps.Add(1)
	}
	e := t.env
	if !e.pool.Inside() {
		e.insideFailed.Add(1)
	}
	// Take at most budget units.
	var took int64
	for {
		w := t.work.Load()
		took = min(w, e.budget)
		if took == 0 || t.work.CompareAndSwap(w, w-took) {
			break
		}
	}
	for range took {
		t.handled++
		e.remaining.dec()
		// Pass some work on from inside the turn.
		if e.insideLeft.Load() > 0 && e.insideLeft.Add(-1) >= 0 {
			t.inside++
			e.tasks[t.rng.IntN(len(e.tasks))].notify(1)
		}
	}
	// Leave before giving up the scheduling right: once the state is idle,
	// another worker may start the next turn.
	t.running.Store(false)
	if took == e.budget && t.work.Load() > 0 {
		return true // more work: stay scheduled, run again later
	}
	if t.state.CompareAndSwap(tsScheduled, tsIdle) {
		return false
	}
	t.state.Store(tsScheduled)
	return true
}

// TestPoolStateWordTasks drives reusable tasks the way reactors do: outside
// goroutines and the turns themselves notify random tasks; a task is
// scheduled only on its idle-to-scheduled switch. Every unit of work is
// handled exactly once, no task runs on two workers at once, and Inside
// holds in every turn.
func TestPoolStateWordTasks(t *testing.T) {
	for _, tc := range []struct {
		name                    string
		workers, tasks, outside int
		each, inside, budget    int
	}{
		{"2workers", 2, 500, 4, 20000, 40000, 8},
		{"4workersBudget1", 4, 100, 4, 10000, 20000, 1},
		{"1worker", 1, 50, 2, 10000, 10000, 4},
		{"fewTasksManyWorkers", 8, 3, 8, 5000, 20000, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer goleak.VerifyNone(t)
			var overlaps atomic.Int64
			total := int64(tc.outside*tc.each + tc.inside)
			e := &wordEnv{budget: int64(tc.budget), remaining: newCountdown(total)}
			e.insideLeft.Store(int64(tc.inside))
			for i := range tc.tasks {
				e.tasks = append(e.tasks, &wordTask{id: i, env: e, overlaps: &overlaps, rng: rand.New(rand.NewPCG(2, uint64(i)))})
			}
			e.pool = NewPool(tc.workers, runWord)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for g := range tc.outside {
				wg.Go(func() {
					rng := rand.New(rand.NewPCG(3, uint64(g)))
					<-start
					for range tc.each {
						e.tasks[rng.IntN(len(e.tasks))].notify(1)
					}
				})
			}
			close(start)
			wg.Wait()
			waitClosed(t, e.remaining.done, "all work to be handled")
			e.pool.Close()
			require.Zero(t, overlaps.Load(), "a task ran on two workers at once")
			require.Zero(t, e.insideFailed.Load(), "Inside() false during a turn")
			require.False(t, e.pool.Inside(), "Inside() true outside the pool")
			var handled, inside int64
			for _, task := range e.tasks {
				handled += task.handled
				inside += task.inside
				require.Zero(t, task.work.Load(), "task %d has work left", task.id)
			}
			require.Equal(t, total, handled)
			require.Equal(t, int64(tc.inside), inside)
		})
	}
}

// ---------------------------------------------------------------------------
// Ping-pong through run-next.

type pingTask struct {
	peer  *pingTask
	left  *atomic.Int64
	done  *countdown
	pool  **Pool[pingTask]
	turns int
}

// runPing runs a turn of t: it wakes t's peer until the pair's turns are
// used up, and then counts the pair done.
func runPing(t *pingTask, _ *owner.Slot) bool {
	t.turns++
	if n := t.left.Add(-1); n > 0 {
		(*t.pool).Schedule(t.peer)
	} else if n == 0 {
		t.done.dec()
	}
	return false
}

// TestPoolPingPongPairs runs many pairs that wake each other from inside
// their turns (the run-next hand-off), together with more pairs than
// workers, so that the fairness rules must let every pair progress.
func TestPoolPingPongPairs(t *testing.T) {
	defer goleak.VerifyNone(t)
	const pairs, rounds = 16, 2000
	var p *Pool[pingTask]
	done := newCountdown(pairs)
	var all []*pingTask
	for range pairs {
		left := new(atomic.Int64)
		left.Store(2 * rounds)
		a := &pingTask{left: left, done: done, pool: &p}
		b := &pingTask{left: left, done: done, pool: &p, peer: a}
		a.peer = b
		all = append(all, a, b)
	}
	p = NewPool(2, runPing)
	for i := 0; i < len(all); i += 2 {
		p.Schedule(all[i])
	}
	waitClosed(t, done.done, "every pair to finish")
	p.Close()
	for i := 0; i < len(all); i += 2 {
		require.Equal(t, rounds, all[i].turns)
		require.Equal(t, rounds, all[i+1].turns)
	}
}

// TestPoolStatsWhileHandingOff reads Stats while pools of one and two
// workers hand tasks off through their run-next slots: the slots are
// read by another goroutine, so the race detector checks that every
// pool size writes them in a way Stats may read.
func TestPoolStatsWhileHandingOff(t *testing.T) {
	defer goleak.VerifyNone(t)
	const rounds = 2000
	for _, workers := range []int{1, 2} {
		var p *Pool[pingTask]
		left := new(atomic.Int64)
		left.Store(2 * rounds)
		done := newCountdown(1)
		a := &pingTask{left: left, done: done, pool: &p}
		b := &pingTask{left: left, done: done, pool: &p, peer: a}
		a.peer = b
		p = NewPool(workers, runPing)
		p.Schedule(a)
		reads := 0
		for running := true; running; reads++ {
			select {
			case <-done.done:
				running = false
			default:
			}
			ws, _ := p.Stats()
			require.Len(t, ws, workers)
		}
		p.Close()
		require.Equal(t, rounds, a.turns)
		require.Equal(t, rounds, b.turns)
		require.Positive(t, reads)
	}
}

// ---------------------------------------------------------------------------
// Close.

// TestPoolCloseLeavesNoGoroutine opens and closes pools of many sizes,
// idle, just used, and right after a burst of work.
func TestPoolCloseLeavesNoGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t)
	type task struct{ done *countdown }
	for i := range 200 {
		workers := 1 + i%9
		p := NewPool(workers, func(t *task, _ *owner.Slot) bool { t.done.dec(); return false })
		if i%2 == 1 {
			n := 1 + i%50
			d := newCountdown(int64(n))
			for range n {
				p.Schedule(&task{done: d})
			}
			waitClosed(t, d.done, "tasks")
		}
		p.Close()
		p.Close() // idempotent
	}
}

// ---------------------------------------------------------------------------
// The local run queue.

// TestRunqStealExactlyOnce has the owner push (and pop) while thieves steal:
// every element is taken exactly once.
func TestRunqStealExactlyOnce(t *testing.T) {
	const n, thieves = 200000, 3
	var q runq[int]
	items := make([]int, n)
	taken := make([]atomic.Int32, n)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range thieves {
		wg.Go(func() {
			for {
				if p := q.pop(); p != nil {
					taken[*p].Add(1)
					continue
				}
				if stop.Load() {
					if q.empty() {
						return
					}
				}
			}
		})
	}
	for i := range n {
		items[i] = i
		for !q.push(&items[i]) {
			if p := q.pop(); p != nil { // full: the owner takes one itself
				taken[*p].Add(1)
			}
		}
		if i%7 == 0 {
			if p := q.pop(); p != nil {
				taken[*p].Add(1)
			}
		}
	}
	stop.Store(true)
	wg.Wait()
	for p := q.pop(); p != nil; p = q.pop() {
		taken[*p].Add(1)
	}
	for i := range taken {
		require.Equal(t, int32(1), taken[i].Load(), "element %d", i)
	}
}

// TestFifoGrows checks the global queue across growth and wrap-around.
func TestFifoGrows(t *testing.T) {
	var f fifo[int]
	vals := make([]int, 4000)
	next, out := 0, 0
	for round := range 50 {
		for range round * 3 {
			vals[next] = next
			f.push(&vals[next])
			next++
		}
		for range round * 2 {
			p := f.pop()
			require.NotNil(t, p)
			require.Equal(t, out, *p)
			out++
		}
		require.Equal(t, int32(next-out), f.n.Load())
	}
	for p := f.pop(); p != nil; p = f.pop() {
		require.Equal(t, out, *p)
		out++
	}
	require.Equal(t, next, out)
}

// ---------------------------------------------------------------------------
// What Schedule reports.

// TestScheduleOutsideReportsAWokenWorker checks that ScheduleOutside
// reports true exactly when it hands the task to a parked worker, not
// when every worker is busy (the task is queued), and that a loop
// reports whether it left its wake-up token.
func TestScheduleOutsideReportsAWokenWorker(t *testing.T) {
	defer goleak.VerifyNone(t)
	type task struct {
		gate  chan struct{}
		ended *countdown
	}
	p := NewPool(2, func(k *task, _ *owner.Slot) bool {
		if k.gate != nil {
			<-k.gate
		}
		k.ended.dec()
		return false
	})
	defer p.Close()
	deadline := time.Now().Add(poolTimeout)
	for {
		ws, _ := p.Stats()
		if ws[0].Parked && ws[1].Parked {
			break
		}
		require.True(t, time.Now().Before(deadline), "workers never parked")
		time.Sleep(time.Millisecond)
	}

	ended := newCountdown(3)
	gate := make(chan struct{})
	defer func() {
		select {
		case <-gate:
		default:
			close(gate) // a failed check: let the workers go
		}
	}()
	require.True(t, p.ScheduleOutside(&task{gate: gate, ended: ended}), "a parked worker was handed the task")
	require.True(t, p.ScheduleOutside(&task{gate: gate, ended: ended}), "the other parked worker")
	require.False(t, p.ScheduleOutside(&task{ended: ended}), "every worker is busy: queued")
	close(gate)
	waitClosed(t, ended.done, "tasks")

	l := NewLoop[task](false)
	require.True(t, l.Schedule(), "the token is left")
	require.False(t, l.Schedule(), "a token already waits")
}
