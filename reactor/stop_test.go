package reactor_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// gated is a reactor whose handler reports each event on entered and then
// waits for gate: a test holds it inside a handler while it queues more
// events and asks it to stop.
type gated struct {
	ch      reactor.Channel[int]
	entered chan int
	gate    chan struct{}
	mu      sync.Mutex
	handled []int
}

func (g *gated) got() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.handled)
}

func spawnHeld(t *testing.T, sys *reactor.System, opts ...reactor.SpawnOption) *gated {
	t.Helper()
	g := &gated{entered: make(chan int, 100), gate: make(chan struct{})}
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) {
			g.entered <- v
			<-g.gate
			g.mu.Lock()
			g.handled = append(g.handled, v)
			g.mu.Unlock()
		})
	}, opts...)
	require.NoError(t, err)
	g.ch = ch
	return g
}

// startFirst puts the gated reactor inside the handler of event 0, the
// turn running as the scheduler under test runs it, and returns when the
// handler has started.
type startFirst func(t *testing.T, g *gated)

var stopPaths = []struct {
	name  string
	opts  []reactor.SpawnOption
	start startFirst
}{
	{"pool", nil, func(t *testing.T, g *gated) { require.NoError(t, g.ch.Send(0)) }},
	{"dedicated", []reactor.SpawnOption{reactor.WithScheduler(reactor.Dedicated)}, func(t *testing.T, g *gated) {
		require.NoError(t, g.ch.Send(0))
	}},
	{"caller-runs", nil, func(t *testing.T, g *gated) {
		// A plain goroutine that finds the reactor idle runs its turn.
		go func() { _ = g.ch.SendAndRun(context.Background(), 0) }()
	}},
}

// heldWithQueue spawns a held reactor, puts it inside the handler of
// event 0 the way start does, and queues events 1 to n behind it.
func heldWithQueue(t *testing.T, opts []reactor.SpawnOption, start startFirst, n int) (*reactor.System, *recorder, *gated) {
	t.Helper()
	sys, rec := newSys(t)
	g := spawnHeld(t, sys, opts...)
	start(t, g)
	require.Equal(t, 0, reactortest.Receive(t, g.entered))
	for i := 1; i <= n; i++ {
		require.NoError(t, g.ch.Send(i))
	}
	return sys, rec, g
}

// TestStopEndsTurnAfterRunningHandler checks that Stop and Shutdown end
// a running turn after the handler under way: the events queued behind it
// are dead-lettered with the stop's reason, not handled, on every
// scheduler.
func TestStopEndsTurnAfterRunningHandler(t *testing.T) {
	for _, path := range stopPaths {
		for _, how := range []string{"Stop", "Shutdown"} {
			t.Run(path.name+"/"+how, func(t *testing.T) {
				sys, rec, g := heldWithQueue(t, path.opts, path.start, 10)
				want := reactor.ReasonStopped
				shut := make(chan error, 1)
				if how == "Stop" {
					require.NoError(t, g.ch.Stop())
				} else {
					want = reactor.ReasonShutdown
					go func() { shut <- sys.Shutdown(context.Background()) }()
					for !reactor.HaltRequested(g.ch) {
						runtime.Gosched()
					}
				}
				close(g.gate)
				reactortest.WaitClosed(t, g.ch.Done())
				require.Equal(t, []int{0}, g.got(), "only the running handler completes")
				var lost []int
				for _, d := range rec.deadLetters() {
					require.Equal(t, want, d.Reason)
					lost = append(lost, d.Event.(int))
				}
				require.Equal(t, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, lost)
				require.ErrorIs(t, g.ch.Send(11), reactor.ErrTerminated)
				require.NoError(t, g.ch.Err(), "a stopped reactor did not fail")
				if how == "Shutdown" {
					require.NoError(t, reactortest.Receive(t, shut))
				}
			})
		}
	}
}

// TestDrainHandlesQueuedThenTerminates checks the graceful stop: events
// queued before Drain are all handled, in order; later sends are refused
// with ErrTerminated and dead-lettered with ReasonStopped; the reactor
// then terminates though its main connector was never sealed.
func TestDrainHandlesQueuedThenTerminates(t *testing.T) {
	for _, path := range stopPaths {
		// 63 queued behind event 0 fill the turn's budget of 64 exactly:
		// the turn that drains the last of them ends with its budget
		// used up and nothing left.
		for _, n := range []int{10, 63} {
			t.Run(fmt.Sprintf("%s/%d", path.name, n), func(t *testing.T) {
				_, rec, g := heldWithQueue(t, path.opts, path.start, n)
				require.NoError(t, g.ch.Drain())
				close(g.gate)
				reactortest.WaitClosed(t, g.ch.Done())
				want := make([]int, n+1)
				for i := range want {
					want[i] = i
				}
				require.Equal(t, want, g.got())
				require.Empty(t, rec.deadLetters())
				require.ErrorIs(t, g.ch.Send(n+1), reactor.ErrTerminated)
				require.NoError(t, g.ch.Err())
			})
		}
	}
}

// TestDrainRefusesLaterSends checks that once a draining reactor has
// started its next turn, sends are refused and dead-lettered with
// ReasonStopped, while what was queued is still handled.
func TestDrainRefusesLaterSends(t *testing.T) {
	sys, rec := newSys(t)
	g := spawnHeld(t, sys)
	require.NoError(t, g.ch.Send(0))
	require.Equal(t, 0, reactortest.Receive(t, g.entered))
	require.NoError(t, g.ch.Send(1))
	require.NoError(t, g.ch.Drain())
	g.gate <- struct{}{} // event 0 done: the next turn applies the drain
	require.Equal(t, 1, reactortest.Receive(t, g.entered))
	err := g.ch.Send(2)
	require.ErrorIs(t, err, reactor.ErrTerminated)
	close(g.gate)
	reactortest.WaitClosed(t, g.ch.Done())
	require.Equal(t, []int{0, 1}, g.got())
	dead := rec.deadLetters()
	require.Len(t, dead, 1)
	require.Equal(t, reactor.ReasonStopped, dead[0].Reason)
	require.Equal(t, 2, dead[0].Event)
}

// TestDrainUnderConcurrentSendersLosesNothing checks that every send
// racing with Drain is either handled or refused (and then dead-lettered),
// never lost, and that a refused send's event is never handled.
func TestDrainUnderConcurrentSendersLosesNothing(t *testing.T) {
	for round := range 20 {
		sys, rec := newSys(t)
		var mu sync.Mutex
		handled := map[int]bool{}
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			r.Main().Events().OnEvent(func(v int) {
				mu.Lock()
				handled[v] = true
				mu.Unlock()
			})
		})
		require.NoError(t, err)
		const senders, each = 4, 500
		refused := make(chan int, senders*each)
		var wg sync.WaitGroup
		for s := range senders {
			wg.Go(func() {
				for i := range each {
					v := s*each + i
					if err := ch.Send(v); err != nil {
						require.ErrorIs(t, err, reactor.ErrTerminated)
						refused <- v
					}
					if s == 0 && i == each/2 {
						require.NoError(t, ch.Drain())
					}
				}
			})
		}
		wg.Wait()
		reactortest.WaitClosed(t, ch.Done())
		close(refused)
		dead := map[int]bool{}
		for _, d := range rec.deadLetters() {
			dead[d.Event.(int)] = true
		}
		for v := range refused {
			require.True(t, dead[v], "round %d: refused %d not dead-lettered", round, v)
		}
		mu.Lock()
		for v := range senders * each {
			require.True(t, handled[v] != dead[v], "round %d: event %d handled %v, dead-lettered %v", round, v, handled[v], dead[v])
		}
		mu.Unlock()
		for v := 0; v <= each/2; v++ { // sent by sender 0 before its Drain
			require.True(t, handled[v], "round %d: %d was queued before Drain", round, v)
		}
	}
}

// TestStopWhileWaitingToRestart checks that a reactor waiting out its
// restart backoff terminates at Stop, without restarting.
func TestStopWhileWaitingToRestart(t *testing.T) {
	sys, rec := newSys(t)
	starts := make(chan struct{}, 10)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		starts <- struct{}{}
		r.Main().Events().OnEvent(func(int) { panic("fail") })
	}, reactor.WithRestart(reactor.RestartPolicy{MaxRestarts: 5, Backoff: time.Hour}))
	require.NoError(t, err)
	reactortest.Receive(t, starts)
	require.NoError(t, ch.Send(1))
	require.False(t, reactortest.Receive(t, rec.failed).Final)
	require.NoError(t, ch.Send(2)) // queued behind the backoff
	require.NoError(t, ch.Stop())
	reactortest.WaitClosed(t, ch.Done())
	require.Len(t, starts, 0, "no restart")
	dead := rec.deadLetters()
	require.Len(t, dead, 1)
	require.Equal(t, reactor.ReasonStopped, dead[0].Reason)
}

// TestStopAndDrainEdgeCases checks the zero channel, forwarding channels,
// a reactor that has already terminated, a Stop during a Drain, and a
// Stop from the reactor's own handler.
func TestStopAndDrainEdgeCases(t *testing.T) {
	sys, rec := newSys(t)
	require.ErrorIs(t, reactor.Channel[int]{}.Stop(), reactor.ErrNilChannel)
	require.ErrorIs(t, reactor.Channel[int]{}.Drain(), reactor.ErrNilChannel)
	fwd := reactor.ChannelOf[int](discard{})
	require.ErrorIs(t, fwd.Stop(), reactor.ErrNoReactor)
	require.ErrorIs(t, fwd.Drain(), reactor.ErrNoReactor)

	// A handler that stops its own reactor ends the turn after itself.
	// Event 0 holds the reactor until 1 to 3 are queued behind it.
	got := make(chan int, 10)
	entered, gate := make(chan struct{}), make(chan struct{})
	self, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) {
			if v == 0 {
				entered <- struct{}{}
				<-gate
				return
			}
			got <- v
			if v == 1 {
				require.NoError(t, r.Main().Channel().Stop())
			}
		})
	}, reactor.WithScheduler(reactor.Dedicated))
	require.NoError(t, err)
	require.NoError(t, self.Send(0))
	<-entered
	for i := 1; i <= 3; i++ {
		require.NoError(t, self.Send(i))
	}
	close(gate)
	reactortest.WaitClosed(t, self.Done())
	require.Equal(t, 1, reactortest.Receive(t, got))
	require.Len(t, got, 0)
	require.NoError(t, self.Stop(), "stopping a terminated reactor does nothing")
	require.NoError(t, self.Drain())

	// A Stop during a Drain ends it at once.
	h := spawnHeld(t, sys)
	require.NoError(t, h.ch.Send(0))
	reactortest.Receive(t, h.entered)
	require.NoError(t, h.ch.Send(1))
	require.NoError(t, h.ch.Drain())
	require.NoError(t, h.ch.Stop())
	close(h.gate)
	reactortest.WaitClosed(t, h.ch.Done())
	require.Equal(t, []int{0}, h.got())
	var reasons []reactor.Reason
	for _, d := range rec.deadLetters() {
		reasons = append(reasons, d.Reason)
	}
	require.Equal(t, []reactor.Reason{reactor.ReasonStopped, reactor.ReasonStopped, reactor.ReasonStopped}, reasons)
}

// doneSender is a forwarding destination with an end of its own.
type doneSender struct{ done chan struct{} }

func (doneSender) Send(int) error          { return nil }
func (doneSender) Name() string            { return "ending" }
func (s doneSender) Done() <-chan struct{} { return s.done }

// TestForwardingChannelDone checks that a forwarding channel's Done is
// its Sender's when the Sender has one, and nil (never closed) otherwise,
// and that the zero Channel's is closed.
func TestForwardingChannelDone(t *testing.T) {
	s := doneSender{done: make(chan struct{})}
	ch := reactor.ChannelOf[int](s)
	require.Equal(t, (<-chan struct{})(s.done), ch.Done())
	close(s.done)
	reactortest.WaitClosed(t, ch.Done())
	require.Nil(t, reactor.ChannelOf[int](discard{}).Done())
	reactortest.WaitClosed(t, reactor.Channel[int]{}.Done())
}

// occupyWorker holds the only worker of sys inside a handler until the
// returned function is called.
func occupyWorker(t *testing.T, sys *reactor.System) (release func()) {
	t.Helper()
	g := spawnHeld(t, sys)
	require.NoError(t, g.ch.Send(0))
	reactortest.Receive(t, g.entered)
	return func() { close(g.gate) }
}

// TestStopAndDrainBeforeTheFirstTurn checks a reactor stopped or
// drained while its constructor has not run yet (the pool's only worker
// is busy): Stop ends it without running its body, its queued events
// dead-lettered as stopped (not unhandled); Drain runs the body, then
// the queued events, then ends it.
func TestStopAndDrainBeforeTheFirstTurn(t *testing.T) {
	sys, rec := newSys(t, reactor.WithWorkers(1))
	release := occupyWorker(t, sys)
	ran := make(chan string, 2)
	got := make(chan int, 10)
	body := func(name string) func(*reactor.Reactor[int]) {
		return func(r *reactor.Reactor[int]) {
			ran <- name
			r.Main().Events().OnEvent(func(v int) { got <- v })
		}
	}
	stopped, err := reactor.Spawn(sys, body("stopped"))
	require.NoError(t, err)
	drained, err := reactor.Spawn(sys, body("drained"))
	require.NoError(t, err)
	for _, v := range []int{1, 2} {
		require.NoError(t, stopped.Send(v))
	}
	require.NoError(t, drained.Send(3))
	require.NoError(t, stopped.Stop())
	require.NoError(t, drained.Drain())
	release()
	reactortest.WaitClosed(t, stopped.Done())
	reactortest.WaitClosed(t, drained.Done())
	require.Equal(t, "drained", reactortest.Receive(t, ran))
	require.Len(t, ran, 0, "a reactor stopped before its first turn never runs its body")
	require.Equal(t, 3, reactortest.Receive(t, got))
	require.Len(t, got, 0)
	var reasons []reactor.Reason
	var events []any
	for _, d := range rec.deadLetters() {
		reasons = append(reasons, d.Reason)
		events = append(events, d.Event)
	}
	require.Equal(t, []reactor.Reason{reactor.ReasonStopped, reactor.ReasonStopped}, reasons)
	require.Equal(t, []any{1, 2}, events)
}
