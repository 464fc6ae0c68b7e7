package reactor_test

// Stress tests of the runtime: many reactors, many senders, sends from
// inside handlers, Seal and Shutdown racing with sends, restarts under load.
//
// Every test is deterministic in what it checks: the workload comes from a
// seeded generator, synchronization is by channels and barriers only, and
// the assertions are exact counts (each event delivered or dead-lettered
// exactly once, per-sender FIFO, one handler at a time per reactor), not
// timings. Timeouts only turn a hang into a readable failure.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
)

// stressTimeout bounds every wait: a hang is a bug, and the deadline only
// turns it into a failure instead of a stuck test binary.
const stressTimeout = 30 * time.Second

func stressNew(opts ...reactor.Option) *reactor.System {
	return reactor.New(append([]reactor.Option{reactor.WithLogger(zerolog.Nop())}, opts...)...)
}

// stressShutdown shuts sys down and fails the test if that does not finish.
func stressShutdown(t *testing.T, sys *reactor.System) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stressTimeout)
	defer cancel()
	require.NoError(t, sys.Shutdown(ctx))
}

func stressWait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(stressTimeout):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func stressRecv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(stressTimeout):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// stressWaitGroup waits for wg, failing after the deadline.
func stressWaitGroup(t *testing.T, wg *sync.WaitGroup, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	stressWait(t, done, what)
}

// stressGuard detects two handlers of one reactor running at once: the
// atomic catches it on any machine, the plain counter lets the race
// detector see it too.
type stressGuard struct {
	busy     atomic.Bool
	overlaps *atomic.Int64
	plain    int
}

func (g *stressGuard) enter() {
	if g.busy.Swap(true) {
		g.overlaps.Add(1)
	}
	g.plain++
}

func (g *stressGuard) exit() { g.busy.Store(false) }

// stressDeadCounter counts dead letters by reason; the handler runs on
// arbitrary goroutines.
type stressDeadCounter struct {
	mu       sync.Mutex
	byReason map[reactor.Reason]int
	total    atomic.Int64
}

func newStressDeadCounter() *stressDeadCounter {
	return &stressDeadCounter{byReason: map[reactor.Reason]int{}}
}

func (d *stressDeadCounter) handle(dl reactor.DeadLetter) {
	d.mu.Lock()
	d.byReason[dl.Reason]++
	d.mu.Unlock()
	d.total.Add(1)
}

func (d *stressDeadCounter) snapshot() map[reactor.Reason]int {
	d.mu.Lock()
	defer d.mu.Unlock()
	m := make(map[reactor.Reason]int, len(d.byReason))
	for k, v := range d.byReason {
		m[k] = v
	}
	return m
}

// stressFirstErr keeps the first error reported from any goroutine.
type stressFirstErr struct {
	mu  sync.Mutex
	err error
}

func (e *stressFirstErr) Store(err error) {
	e.mu.Lock()
	if e.err == nil {
		e.err = err
	}
	e.mu.Unlock()
}

func (e *stressFirstErr) get() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

func statsTotal(st reactor.Stats) uint64 {
	var n uint64
	for _, c := range st.DeadLetters {
		n += c
	}
	return n
}

// ---------------------------------------------------------------------------
// Thousands of reactors, random sends from many goroutines.

type stressMsg struct {
	sender int
	seq    int
}

type stressReport struct {
	id     int
	counts []int
	fifo   int // per-sender sequence numbers that did not increase
}

// TestStressRandomSendsManyReactors sends from several goroutines to random
// reactors among thousands. Every reactor knows how many events it must get
// (the workload is generated up front from a seed); it checks per-sender
// FIFO, reports its per-sender counts when it has them all and seals itself.
// An event delivered twice would break FIFO or become a dead letter; an
// event lost would keep its reactor from reporting.
func TestStressRandomSendsManyReactors(t *testing.T) {
	type variant struct {
		name      string
		opts      []reactor.Option
		dedicated int // every n-th reactor gets its own goroutine (0: none)
		reactors  int
		senders   int
		each      int
	}
	variants := []variant{
		{name: "pool", reactors: 2000, senders: 8, each: 20000},
		{name: "budget1", opts: []reactor.Option{reactor.WithBudget(1)}, reactors: 500, senders: 8, each: 5000},
		{name: "oneWorker", opts: []reactor.Option{reactor.WithWorkers(1)}, reactors: 500, senders: 4, each: 5000},
		{name: "mixedDedicated", dedicated: 10, reactors: 500, senders: 6, each: 5000},
		{name: "hot", reactors: 4, senders: 8, each: 10000},
		{name: "hotBudget1", opts: []reactor.Option{reactor.WithBudget(1)}, reactors: 3, senders: 6, each: 5000},
		{name: "hotDedicated", dedicated: 1, reactors: 4, senders: 6, each: 5000},
	}
	if testing.Short() {
		for i := range variants {
			variants[i].each /= 4
		}
	}
	for vi, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			stressRandomSends(t, uint64(vi+1), v.opts, v.dedicated, v.reactors, v.senders, v.each)
		})
	}
}

func stressRandomSends(t *testing.T, seed uint64, opts []reactor.Option, dedicated, nReactors, nSenders, each int) {
	// The workload, fixed by the seed: targets[s][i] is where sender s
	// sends its i-th event.
	targets := make([][]int32, nSenders)
	expected := make([][]int, nReactors) // [reactor][sender]
	for r := range expected {
		expected[r] = make([]int, nSenders)
	}
	for s := range targets {
		rng := rand.New(rand.NewPCG(seed, uint64(s)))
		targets[s] = make([]int32, each)
		for i := range targets[s] {
			r := rng.IntN(nReactors)
			targets[s][i] = int32(r)
			expected[r][s]++
		}
	}

	dead := newStressDeadCounter()
	sys := stressNew(append([]reactor.Option{reactor.WithDeadLetterHandler(dead.handle)}, opts...)...)
	var overlaps atomic.Int64
	reports := make(chan stressReport, nReactors)
	chans := make([]reactor.Channel[stressMsg], nReactors)
	for r := range nReactors {
		total := 0
		for _, n := range expected[r] {
			total += n
		}
		var so []reactor.SpawnOption
		if dedicated > 0 && r%dedicated == 0 {
			so = append(so, reactor.WithScheduler(reactor.Dedicated))
		}
		ch, err := reactor.Spawn(sys, func(rc *reactor.Reactor[stressMsg]) {
			rep := stressReport{id: r, counts: make([]int, nSenders)}
			last := make([]int, nSenders)
			for i := range last {
				last[i] = -1
			}
			got := 0
			g := &stressGuard{overlaps: &overlaps}
			if total == 0 {
				reports <- rep
				rc.Main().Seal()
				return
			}
			rc.Main().Events().OnEvent(func(m stressMsg) {
				g.enter()
				defer g.exit()
				if m.seq <= last[m.sender] {
					rep.fifo++
				}
				last[m.sender] = m.seq
				rep.counts[m.sender]++
				got++
				if got == total {
					reports <- rep
					rc.Main().Seal()
				}
			})
		}, so...)
		require.NoError(t, err)
		chans[r] = ch
	}

	start := make(chan struct{})
	sendErrs := make([]error, nSenders)
	var wg sync.WaitGroup
	for s := range nSenders {
		wg.Go(func() {
			<-start
			for i, r := range targets[s] {
				if err := chans[r].Send(stressMsg{sender: s, seq: i}); err != nil {
					sendErrs[s] = fmt.Errorf("sender %d, event %d to reactor %d: %w", s, i, r, err)
					return
				}
			}
		})
	}
	close(start)
	stressWaitGroup(t, &wg, "senders")
	for _, err := range sendErrs {
		require.NoError(t, err)
	}

	seen := make([]bool, nReactors)
	for range nReactors {
		rep := stressRecv(t, reports, "reactor reports")
		require.False(t, seen[rep.id], "reactor %d reported twice", rep.id)
		seen[rep.id] = true
		require.Zero(t, rep.fifo, "reactor %d: per-sender FIFO violated", rep.id)
		require.Equal(t, expected[rep.id], rep.counts, "reactor %d: per-sender counts", rep.id)
	}
	for r, ch := range chans {
		stressWait(t, ch.Done(), fmt.Sprintf("termination of reactor %d", r))
	}
	require.Zero(t, overlaps.Load(), "handlers of one reactor overlapped")
	require.Zero(t, dead.total.Load(), "dead letters: %v", dead.snapshot())
	// Done closes a moment before the reactor leaves the live list: count
	// live reactors once Shutdown has waited for all of them.
	stressShutdown(t, sys)
	st := sys.Stats()
	require.Zero(t, st.Reactors)
	require.Zero(t, statsTotal(st))
}

// ---------------------------------------------------------------------------
// Reactors sending to each other from inside handlers: a token ring.

type stressRingMsg struct {
	stop  bool
	token int
	start int // reactor where the token started
	hop   int // hops taken so far
}

// TestStressTokenRing passes several tokens at once around a ring of a
// thousand reactors, each hop a Send from inside a handler. Each reactor
// checks that a token arrives where it should after its hop count, counts
// the tokens it forwards, and reports its count when told to stop.
func TestStressTokenRing(t *testing.T) {
	type variant struct {
		name      string
		opts      []reactor.Option
		dedicated int
		n         int
		tokens    int
		hops      int
	}
	variants := []variant{
		{name: "pool", n: 1000, tokens: 8, hops: 5000},
		{name: "budget1", opts: []reactor.Option{reactor.WithBudget(1)}, n: 1000, tokens: 16, hops: 2000},
		{name: "mixedDedicated", dedicated: 25, n: 1000, tokens: 8, hops: 3000},
		{name: "tokensOutnumberReactors", n: 50, tokens: 200, hops: 200},
	}
	if testing.Short() {
		for i := range variants {
			variants[i].hops /= 4
		}
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			stressTokenRing(t, v.opts, v.dedicated, v.n, v.tokens, v.hops)
		})
	}
}

func stressTokenRing(t *testing.T, opts []reactor.Option, dedicated, n, tokens, hops int) {
	dead := newStressDeadCounter()
	sys := stressNew(append([]reactor.Option{reactor.WithDeadLetterHandler(dead.handle)}, opts...)...)
	var overlaps, misrouted, sendFailures atomic.Int64
	finished := make(chan int, tokens)
	type count struct{ id, n int }
	counts := make(chan count, n)
	// Filled before the first token is sent, read only by handlers: the
	// first Send orders the writes before every read.
	chans := make([]reactor.Channel[stressRingMsg], n)
	for i := range n {
		var so []reactor.SpawnOption
		if dedicated > 0 && i%dedicated == 0 {
			so = append(so, reactor.WithScheduler(reactor.Dedicated))
		}
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[stressRingMsg]) {
			g := &stressGuard{overlaps: &overlaps}
			handled := 0
			r.Main().Events().OnEvent(func(m stressRingMsg) {
				g.enter()
				defer g.exit()
				if m.stop {
					counts <- count{id: i, n: handled}
					r.Main().Seal()
					return
				}
				handled++
				if (m.start+m.hop)%n != i {
					misrouted.Add(1)
				}
				m.hop++
				if m.hop == hops {
					finished <- m.token
					return
				}
				if err := chans[(i+1)%n].Send(m); err != nil {
					sendFailures.Add(1)
				}
			})
		}, so...)
		require.NoError(t, err)
		chans[i] = ch
	}

	for tok := range tokens {
		start := tok * n / tokens
		require.NoError(t, chans[start].Send(stressRingMsg{token: tok, start: start}))
	}
	done := make([]bool, tokens)
	for range tokens {
		tok := stressRecv(t, finished, "tokens")
		require.False(t, done[tok], "token %d finished twice", tok)
		done[tok] = true
	}
	for _, ch := range chans {
		require.NoError(t, ch.Send(stressRingMsg{stop: true}))
	}
	total := 0
	perReactor := make([]int, n)
	for range n {
		c := stressRecv(t, counts, "reactor counts")
		perReactor[c.id] = c.n
		total += c.n
	}
	for _, ch := range chans {
		stressWait(t, ch.Done(), "ring termination")
	}
	require.Equal(t, tokens*hops, total, "hops handled")
	// Every token visits reactors start, start+1, ...: the handled count of
	// each reactor is known exactly.
	want := make([]int, n)
	for tok := range tokens {
		start := tok * n / tokens
		for h := range hops {
			want[(start+h)%n]++
		}
	}
	require.Equal(t, want, perReactor)
	require.Zero(t, misrouted.Load(), "tokens arrived at the wrong reactor")
	require.Zero(t, sendFailures.Load(), "sends from handlers failed")
	require.Zero(t, overlaps.Load(), "handlers of one reactor overlapped")
	require.Zero(t, dead.total.Load(), "dead letters: %v", dead.snapshot())
	stressShutdown(t, sys)
}

// ---------------------------------------------------------------------------
// Seal racing with sends.
