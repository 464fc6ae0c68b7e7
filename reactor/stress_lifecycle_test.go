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
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
)

// stressTimeout bounds every wait: a hang is a bug, and the deadline only
// turns it into a failure instead of a stuck test binary.
type stressSealMsg struct {
	sender int
	seq    int
}

// stressOutcome is what happened to one sent event.
type stressOutcome struct {
	err       error // what Send returned
	delivered int   // times a handler got it
	dead      int   // times it was dead-lettered
	reason    reactor.Reason
}

// TestStressSealRacesSends races senders against a reactor that seals its
// main connector after K events, for many rounds with random K. Every
// event is accounted for exactly once: Send returned nil and the event was
// delivered or dead-lettered, or Send returned ErrSealed/ErrTerminated and
// the event was dead-lettered (or ErrFull with the Fail policy, and the
// event stayed with the sender). Delivered events keep per-sender order,
// and nothing is delivered after Seal.
func TestStressSealRacesSends(t *testing.T) {
	type variant struct {
		name  string
		conn  []reactor.ConnOption
		alive bool // the reactor keeps another connector open after sealing main
	}
	variants := []variant{
		{name: "unbounded"},
		{name: "unboundedStaysAlive", alive: true},
		{name: "dropOldest", conn: []reactor.ConnOption{reactor.Bounded(8, reactor.DropOldest)}},
		{name: "dropNewest", conn: []reactor.ConnOption{reactor.Bounded(8, reactor.DropNewest)}},
		{name: "fail", conn: []reactor.ConnOption{reactor.Bounded(8, reactor.Fail)}, alive: true},
	}
	rounds := 40
	if testing.Short() {
		rounds = 10
	}
	for vi, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(42, uint64(vi)))
			for round := range rounds {
				const senders, each = 4, 300
				k := rng.IntN(senders * each)
				if round%8 == 0 {
					k = rng.IntN(4) // seal almost at once
				}
				stressSealRound(t, round, k, senders, each, v.conn, v.alive)
				if t.Failed() {
					return
				}
			}
		})
	}
}

func stressSealRound(t *testing.T, round, k, senders, each int, conn []reactor.ConnOption, alive bool) {
	out := make([][]stressOutcome, senders)
	for s := range out {
		out[s] = make([]stressOutcome, each)
	}
	var deadMu sync.Mutex
	var foreign atomic.Int64
	sys := stressNew(reactor.WithDeadLetterHandler(func(dl reactor.DeadLetter) {
		m, ok := dl.Event.(stressSealMsg)
		if !ok {
			foreign.Add(1)
			return
		}
		deadMu.Lock()
		o := &out[m.sender][m.seq]
		o.dead++
		o.reason = dl.Reason
		deadMu.Unlock()
	}))

	var lateDeliveries, fifo atomic.Int64
	keep := make(chan reactor.Channel[struct{}], 1)
	sealed := make(chan struct{})
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[stressSealMsg]) {
		if alive {
			c, err := reactor.Open[struct{}](r)
			if err != nil {
				panic(err)
			}
			c.Events().OnEvent(func(struct{}) { c.Seal() })
			keep <- c.Channel()
		}
		last := make([]int, senders)
		for i := range last {
			last[i] = -1
		}
		got := 0
		seal := func() {
			r.Main().Seal()
			close(sealed)
		}
		if k == 0 {
			seal()
			return
		}
		r.Main().Events().OnEvent(func(m stressSealMsg) {
			if r.Main().Sealed() {
				lateDeliveries.Add(1)
			}
			if m.seq <= last[m.sender] {
				fifo.Add(1)
			}
			last[m.sender] = m.seq
			// Owner only: the test reads it after termination.
			out[m.sender][m.seq].delivered++
			got++
			if got == k {
				seal()
			}
		})
	}, reactor.WithMain(conn...))
	require.NoError(t, err)

	start := make(chan struct{})
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			<-start
			for i := range each {
				out[s][i].err = ch.Send(stressSealMsg{sender: s, seq: i})
			}
		})
	}
	close(start)
	stressWaitGroup(t, &wg, "senders")

	if len(conn) == 0 {
		// Unbounded: every accepted event is delivered unless the
		// connector is sealed first, so the reactor reaches k and seals.
		if alive {
			stressWait(t, sealed, "seal")
			kc := stressRecv(t, keep, "keep channel")
			require.NoError(t, kc.Send(struct{}{}))
		}
		stressWait(t, ch.Done(), "termination after seal")
	}
	// Bounded mailboxes may drop so much that the reactor never reaches k:
	// Shutdown settles whatever is still queued (as dead letters).
	stressShutdown(t, sys)
	require.True(t, isDone(ch.Done()))

	require.Zero(t, lateDeliveries.Load(), "round %d: delivered after Seal", round)
	require.Zero(t, fifo.Load(), "round %d: per-sender FIFO violated", round)
	require.Zero(t, foreign.Load())
	var nDead, nDelivered int
	for s := range out {
		for i, o := range out[s] {
			nDead += o.dead
			nDelivered += o.delivered
			switch {
			case o.err == nil:
				require.Equal(t, 1, o.delivered+o.dead,
					"round %d (k=%d): event %d/%d accepted, delivered %d times, dead-lettered %d times",
					round, k, s, i, o.delivered, o.dead)
			case errors.Is(o.err, reactor.ErrSealed), errors.Is(o.err, reactor.ErrTerminated):
				require.Zero(t, o.delivered, "round %d: event %d/%d refused (%v) but delivered", round, s, i, o.err)
				require.Equal(t, 1, o.dead, "round %d: event %d/%d refused (%v), dead-lettered %d times", round, s, i, o.err, o.dead)
			case errors.Is(o.err, reactor.ErrFull):
				require.Zero(t, o.delivered+o.dead, "round %d: event %d/%d refused as full but delivered/dead-lettered", round, s, i)
			default:
				t.Fatalf("round %d: event %d/%d: unexpected error %v", round, s, i, o.err)
			}
		}
	}
	if len(conn) == 0 {
		require.Equal(t, k, nDelivered, "round %d: events delivered before Seal", round)
	}
	require.Equal(t, uint64(nDead), statsTotal(sys.Stats()), "round %d: dead letters counted", round)
}

func isDone(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// ---------------------------------------------------------------------------
// Shutdown while events are in flight.

type stressHop struct {
	hops int
}

// TestStressShutdownWhileInFlight shuts a system down while goroutines send
// to its reactors, reactors forward events to one another, and another
// goroutine keeps spawning reactors. Afterwards, every send that was made
// (from outside or from a handler) was delivered or dead-lettered: sent ==
// delivered + dead letters. No handler runs after Shutdown returns, spawns
// fail with ErrClosed from then on, and no goroutine is left (TestMain).
func TestStressShutdownWhileInFlight(t *testing.T) {
	rounds := 12
	if testing.Short() {
		rounds = 4
	}
	for round := range rounds {
		stressShutdownRound(t, uint64(round))
		if t.Failed() {
			return
		}
	}
}

func stressShutdownRound(t *testing.T, seed uint64) {
	const (
		nReactors = 200
		senders   = 4
		maxEach   = 20000 // senders stop at their first error, or here
		threshold = 2000  // deliveries before Shutdown starts
	)
	dead := newStressDeadCounter()
	var budget reactor.Option = reactor.WithBudget(64)
	if seed%3 == 1 {
		budget = reactor.WithBudget(1)
	}
	sys := stressNew(reactor.WithDeadLetterHandler(dead.handle), budget)
	var sent, delivered, afterShutdown, overlaps atomic.Int64
	var shutDown atomic.Bool
	reached := make(chan struct{})
	var reachedOnce sync.Once

	// Read by handlers only after the first Send, which orders the writes.
	chans := make([]reactor.Channel[stressHop], 0, nReactors)
	body := func(id int) func(*reactor.Reactor[stressHop]) {
		return func(r *reactor.Reactor[stressHop]) {
			rng := rand.New(rand.NewPCG(seed, uint64(id)))
			g := &stressGuard{overlaps: &overlaps}
			r.Main().Events().OnEvent(func(m stressHop) {
				g.enter()
				defer g.exit()
				if shutDown.Load() {
					afterShutdown.Add(1)
				}
				if delivered.Add(1) == threshold {
					reachedOnce.Do(func() { close(reached) })
				}
				if m.hops > 0 {
					sent.Add(1)
					_ = chans[rng.IntN(len(chans))].Send(stressHop{hops: m.hops - 1})
				}
			})
		}
	}
	for i := range nReactors {
		var so []reactor.SpawnOption
		if i%20 == 0 {
			so = append(so, reactor.WithScheduler(reactor.Dedicated))
		}
		ch, err := reactor.Spawn(sys, body(i), so...)
		require.NoError(t, err)
		chans = append(chans, ch)
	}
	fixed := chans // senders and handlers use the reactors spawned up to here

	var spawnErr stressFirstErr
	start := make(chan struct{})
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, 1000+uint64(s)))
			<-start
			for range maxEach {
				sent.Add(1)
				err := fixed[rng.IntN(len(fixed))].Send(stressHop{hops: rng.IntN(4)})
				if err != nil {
					if !errors.Is(err, reactor.ErrTerminated) {
						spawnErr.Store(fmt.Errorf("send: %w", err))
					}
					return
				}
			}
		})
	}
	// A spawner: reactors born during Shutdown, each sent a few events.
	var spawned atomic.Int64
	wg.Go(func() {
		<-start
		for i := 0; ; i++ {
			ch, err := reactor.Spawn(sys, body(nReactors+i))
			if err != nil {
				if !errors.Is(err, reactor.ErrClosed) {
					spawnErr.Store(err)
				}
				return
			}
			spawned.Add(1)
			for range 3 {
				sent.Add(1)
				if ch.Send(stressHop{}) != nil {
					break
				}
			}
			if i > 100000 {
				spawnErr.Store(errors.New("spawner never saw ErrClosed"))
				return
			}
		}
	})
	close(start)
	select {
	case <-reached:
	case <-time.After(stressTimeout):
		t.Fatal("deliveries never reached the threshold")
	}
	stressShutdown(t, sys)
	shutDown.Store(true)
	stressWaitGroup(t, &wg, "senders")

	require.NoError(t, spawnErr.get())
	_, err := reactor.Spawn(sys, body(-1))
	require.ErrorIs(t, err, reactor.ErrClosed)
	require.Zero(t, afterShutdown.Load(), "handlers ran after Shutdown returned")
	require.Zero(t, overlaps.Load(), "handlers of one reactor overlapped")
	st := sys.Stats()
	require.Zero(t, st.Reactors)
	require.Equal(t, uint64(dead.total.Load()), statsTotal(st))
	require.Equal(t, sent.Load(), delivered.Load()+dead.total.Load(),
		"sent %d, delivered %d, dead letters %v", sent.Load(), delivered.Load(), dead.snapshot())
	for r := range dead.snapshot() {
		require.Contains(t, []reactor.Reason{reactor.ReasonShutdown, reactor.ReasonTerminated}, r)
	}
	for _, ch := range fixed {
		require.True(t, isDone(ch.Done()))
		require.ErrorIs(t, ch.Send(stressHop{}), reactor.ErrTerminated)
	}
}

// ---------------------------------------------------------------------------
// One reactor, many connectors, many senders.

type stressConnMsg struct {
	sender int
	seq    int
}

// TestStressManyConnectorsSerial sends to the several connectors of one
// reactor from many goroutines at once. Handlers of all connectors run one
// at a time, each connector keeps per-sender order, and every event is
// handled exactly once. Budget 1 makes every turn switch connectors.
func TestStressManyConnectorsSerial(t *testing.T) {
	for _, budget := range []int{1, 7, 64} {
		t.Run(fmt.Sprint("budget", budget), func(t *testing.T) {
			const conns, senders, each = 5, 6, 5000
			sys := stressNew(reactor.WithBudget(budget))
			var overlaps atomic.Int64
			type result struct {
				counts [conns][senders]int
				fifo   int
			}
			results := make(chan result, 1)
			chs := make(chan []reactor.Channel[stressConnMsg], 1)
			main, err := reactor.Spawn(sys, func(r *reactor.Reactor[stressConnMsg]) {
				g := &stressGuard{overlaps: &overlaps}
				var res result
				var last [conns][senders]int
				for c := range last {
					for s := range last[c] {
						last[c][s] = -1
					}
				}
				total := 0
				handler := func(c int) func(stressConnMsg) {
					return func(m stressConnMsg) {
						g.enter()
						defer g.exit()
						if m.seq <= last[c][m.sender] {
							res.fifo++
						}
						last[c][m.sender] = m.seq
						res.counts[c][m.sender]++
						total++
						if total == senders*each {
							results <- res
							r.Main().Seal() // the opened connectors are daemons
						}
					}
				}
				r.Main().Events().OnEvent(handler(0))
				list := []reactor.Channel[stressConnMsg]{r.Main().Channel()}
				for c := 1; c < conns; c++ {
					cn, err := reactor.Open[stressConnMsg](r, reactor.Named(fmt.Sprint("c", c)), reactor.Daemon())
					if err != nil {
						panic(err)
					}
					cn.Events().OnEvent(handler(c))
					list = append(list, cn.Channel())
				}
				chs <- list
			})
			require.NoError(t, err)
			list := stressRecv(t, chs, "connectors")
			start := make(chan struct{})
			var wg sync.WaitGroup
			var sendErrs atomic.Int64
			for s := range senders {
				wg.Go(func() {
					rng := rand.New(rand.NewPCG(7, uint64(s)))
					<-start
					for i := range each {
						if list[rng.IntN(conns)].Send(stressConnMsg{sender: s, seq: i}) != nil {
							sendErrs.Add(1)
						}
					}
				})
			}
			close(start)
			stressWaitGroup(t, &wg, "senders")
			res := stressRecv(t, results, "result")
			stressWait(t, main.Done(), "termination")
			require.Zero(t, sendErrs.Load())
			require.Zero(t, res.fifo, "per-sender FIFO violated on some connector")
			require.Zero(t, overlaps.Load(), "handlers of one reactor overlapped")
			// The expected split is fixed by the seeds.
			var want [conns][senders]int
			for s := range senders {
				rng := rand.New(rand.NewPCG(7, uint64(s)))
				for range each {
					want[rng.IntN(conns)][s]++
				}
			}
			require.Equal(t, want, res.counts)
			require.Zero(t, statsTotal(sys.Stats()))
			stressShutdown(t, sys)
		})
	}
}

// ---------------------------------------------------------------------------
// Restarts under load.

// TestStressRestartUnderLoad fails a reactor on every 97th event while
// several goroutines send to it. The reactor restarts (its queue is kept),
// so every event is handled exactly once, the failing ones included, and
// per-sender order holds across incarnations.
func TestStressRestartUnderLoad(t *testing.T) {
	for _, backoff := range []time.Duration{0, time.Microsecond} {
		t.Run(fmt.Sprint("backoff", backoff), func(t *testing.T) {
			const senders, each = 4, 5000
			var failures, finals atomic.Int64
			dead := newStressDeadCounter()
			sys := stressNew(
				reactor.WithDeadLetterHandler(dead.handle),
				reactor.WithFailureHandler(func(f reactor.Failure) {
					if f.Final {
						finals.Add(1)
					}
					failures.Add(1)
				}),
			)
			var overlaps atomic.Int64
			// State that survives restarts: touched only by the reactor's
			// handlers, which never run concurrently.
			last := make([]int, senders)
			for i := range last {
				last[i] = -1
			}
			var counts [senders]int
			var fifo, handled, incarnations int
			done := make(chan struct{})
			g := &stressGuard{overlaps: &overlaps}
			ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[stressMsg]) {
				incarnations++
				r.Main().Events().OnEvent(func(m stressMsg) {
					g.enter()
					defer g.exit()
					if m.seq <= last[m.sender] {
						fifo++
					}
					last[m.sender] = m.seq
					counts[m.sender]++
					handled++
					if handled == senders*each {
						close(done)
						r.Main().Seal()
						return
					}
					if handled%97 == 0 {
						panic("planned failure")
					}
				})
			}, reactor.WithRestart(reactor.RestartPolicy{MaxRestarts: 1 << 30, Backoff: backoff, MaxBackoff: backoff}))
			require.NoError(t, err)
			start := make(chan struct{})
			var wg sync.WaitGroup
			var sendErrs atomic.Int64
			for s := range senders {
				wg.Go(func() {
					<-start
					for i := range each {
						if ch.Send(stressMsg{sender: s, seq: i}) != nil {
							sendErrs.Add(1)
						}
					}
				})
			}
			close(start)
			stressWaitGroup(t, &wg, "senders")
			stressWait(t, done, "all events handled")
			stressWait(t, ch.Done(), "termination")
			require.Zero(t, sendErrs.Load())
			require.Zero(t, fifo, "per-sender FIFO violated across restarts")
			require.Zero(t, overlaps.Load())
			for s := range senders {
				require.Equal(t, each, counts[s], "sender %d", s)
			}
			wantFailures := (senders*each - 1) / 97
			require.Zero(t, finals.Load(), "a failure was final")
			require.Equal(t, int64(wantFailures), failures.Load())
			require.Equal(t, wantFailures+1, incarnations)
			require.Zero(t, dead.total.Load(), "dead letters: %v", dead.snapshot())
			stressShutdown(t, sys)
		})
	}
}
