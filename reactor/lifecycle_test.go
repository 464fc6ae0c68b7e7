package reactor_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

func TestLifecycleOrder(t *testing.T) {
	sys, _ := newSys(t)
	phases := make(chan []reactor.Phase, 1)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		var seen []reactor.Phase
		r.Lifecycle().OnEvent(func(l reactor.Lifecycle) {
			seen = append(seen, l.Phase)
			if l.Phase == reactor.Terminated {
				phases <- seen
			}
		})
		r.Main().Events().OnEvent(func(int) { r.Main().Seal() })
	})
	require.NoError(t, err)
	require.NoError(t, ch.Send(1))
	seen := reactortest.Receive(t, phases)
	// Started first, Terminated last, turns in between as Scheduled/Preempted pairs.
	require.Equal(t, reactor.Started, seen[0])
	require.Equal(t, reactor.Terminated, seen[len(seen)-1])
	mid := seen[1 : len(seen)-1]
	require.NotEmpty(t, mid)
	require.Zero(t, len(mid)%2)
	for i := 0; i < len(mid); i += 2 {
		require.Equal(t, reactor.Scheduled, mid[i])
		require.Equal(t, reactor.Preempted, mid[i+1])
	}
}

func TestPanicInHandlerKillsOnlyThatReactor(t *testing.T) {
	sys, rec := newSys(t)
	died := make(chan reactor.Lifecycle, 1)
	last := make(chan []reactor.Phase, 1)
	bad, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		var phases []reactor.Phase
		r.Lifecycle().OnEvent(func(l reactor.Lifecycle) {
			phases = append(phases, l.Phase)
			switch l.Phase {
			case reactor.Died:
				died <- l
			case reactor.Terminated:
				last <- phases[len(phases)-3:]
			}
		})
		r.Main().Events().OnEvent(func(v int) {
			if v == 2 {
				panic(errors.New("handler exploded"))
			}
		})
	}, reactor.WithName("bad"))
	require.NoError(t, err)
	good := make(chan int, 1)
	ok, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) { good <- v })
	})
	require.NoError(t, err)

	require.NoError(t, bad.Send(1))
	require.NoError(t, bad.Send(2))
	// Queued behind the failure and dead-lettered, or refused if the
	// reactor has died already.
	if err := bad.Send(3); err != nil {
		require.ErrorIs(t, err, reactor.ErrTerminated)
	}
	l := reactortest.Receive(t, died)
	var pe *reactor.PanicError
	require.ErrorAs(t, l.Err, &pe)
	require.EqualError(t, errors.Unwrap(pe), "handler exploded")
	require.Contains(t, string(pe.Stack), "lifecycle_test.go", "the stack is the panicking goroutine's")

	f := reactortest.Receive(t, rec.failed)
	require.Equal(t, "bad", f.Reactor)
	require.True(t, f.Final)
	require.ErrorAs(t, f.Err, &pe)

	reactortest.WaitClosed(t, bad.Done())
	// The failing turn ends without Preempted: Died, then Terminated.
	require.Equal(t, []reactor.Phase{reactor.Scheduled, reactor.Died, reactor.Terminated}, reactortest.Receive(t, last))
	require.ErrorAs(t, bad.Err(), &pe)
	require.ErrorIs(t, bad.Send(4), reactor.ErrTerminated)

	// The rest of the system runs on.
	require.NoError(t, ok.Send(7))
	require.Equal(t, 7, reactortest.Receive(t, good))
	require.GreaterOrEqual(t, sys.Stats().DeadLetters[reactor.ReasonTerminated], uint64(1))
}

func TestPanicInConstructor(t *testing.T) {
	sys, rec := newSys(t)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[string]) {
		panic("no good")
	})
	require.NoError(t, err)
	f := reactortest.Receive(t, rec.failed)
	var pe *reactor.PanicError
	require.ErrorAs(t, f.Err, &pe)
	require.Equal(t, "no good", pe.Value)
	reactortest.WaitClosed(t, ch.Done())
	require.ErrorIs(t, ch.Send("x"), reactor.ErrTerminated)
}

func TestUnhandledStreamErrorFailsReactor(t *testing.T) {
	sys, rec := newSys(t)
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		var e events.Emitter[int]
		e.Events().OnEvent(func(int) {})
		r.Main().Events().OnEvent(func(int) { e.EmitError(errors.New("nobody handles me")) })
		_ = r.Main().Channel().Send(1)
	})
	require.NoError(t, err)
	f := reactortest.Receive(t, rec.failed)
	var ue *events.UnhandledError
	require.ErrorAs(t, f.Err, &ue)
	require.EqualError(t, ue.Err, "nobody handles me")
}

func TestRestartPolicy(t *testing.T) {
	sys, rec := newSys(t)
	starts := make(chan int, 10)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		starts <- r.Restarts()
		r.Main().Events().OnEvent(func(v int) {
			if v < 0 {
				panic("again")
			}
			starts <- 100 + v
		})
	}, reactor.WithRestart(reactor.RestartPolicy{MaxRestarts: 2}))
	require.NoError(t, err)
	require.Equal(t, 0, reactortest.Receive(t, starts))
	require.NoError(t, ch.Send(-1))
	require.Equal(t, 1, reactortest.Receive(t, starts)) // restarted, same channel
	require.False(t, reactortest.Receive(t, rec.failed).Final)
	require.NoError(t, ch.Send(5))
	require.Equal(t, 105, reactortest.Receive(t, starts)) // the new incarnation handles events
	require.NoError(t, ch.Send(-1))
	require.Equal(t, 2, reactortest.Receive(t, starts))
	require.False(t, reactortest.Receive(t, rec.failed).Final)
	require.NoError(t, ch.Send(-1)) // third failure: over the limit
	require.True(t, reactortest.Receive(t, rec.failed).Final)
	reactortest.WaitClosed(t, ch.Done())
}

// TestRestartEndsFailedIncarnationsStreams checks that a restart
// completes the streams the failed incarnation subscribed to, on the
// main connector that outlives it as on a connector it opened, and that
// the next incarnation's subscriptions get the events.
func TestRestartEndsFailedIncarnationsStreams(t *testing.T) {
	sys, _ := newSys(t)
	ended := make(chan string, 10)
	got := make(chan int, 10)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		n := r.Restarts()
		opened, err := reactor.Open[int](r)
		if err != nil {
			panic(err)
		}
		opened.Events().OnDone(func() { ended <- fmt.Sprint("opened ", n) })
		r.Main().Events().Subscribe(&events.Funcs[int]{
			Event: func(v int) {
				if v < 0 {
					panic("fail")
				}
				got <- 100*n + v
			},
			Done: func() { ended <- fmt.Sprint("main ", n) },
		})
	}, reactor.WithRestart(reactor.RestartPolicy{MaxRestarts: 1}))
	require.NoError(t, err)
	require.NoError(t, ch.Send(1))
	require.Equal(t, 1, reactortest.Receive(t, got))
	require.NoError(t, ch.Send(-1))
	require.NoError(t, ch.Send(2))
	require.Equal(t, 102, reactortest.Receive(t, got)) // the second incarnation's subscriber
	require.ElementsMatch(t, []string{"main 0", "opened 0"}, []string{reactortest.Receive(t, ended), reactortest.Receive(t, ended)})
	require.NoError(t, ch.Stop())
	reactortest.WaitClosed(t, ch.Done())
	require.ElementsMatch(t, []string{"main 1", "opened 1"}, []string{reactortest.Receive(t, ended), reactortest.Receive(t, ended)})
}

func TestRestartWithBackoffKeepsQueuedEvents(t *testing.T) {
	sys, rec := newSys(t)
	got := make(chan int, 10)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) {
			if v < 0 {
				panic("fail once")
			}
			got <- v
		})
	}, reactor.WithRestart(reactor.RestartPolicy{MaxRestarts: 1, Backoff: 1, MaxBackoff: 1}))
	require.NoError(t, err)
	require.NoError(t, ch.Send(-1))
	require.NoError(t, ch.Send(1))
	require.NoError(t, ch.Send(2))
	require.Equal(t, 1, reactortest.Receive(t, got))
	require.Equal(t, 2, reactortest.Receive(t, got))
	require.False(t, reactortest.Receive(t, rec.failed).Final)
}

func TestWatch(t *testing.T) {
	sys, _ := newSys(t)
	target, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) { panic("target down") })
	}, reactor.WithName("target"))
	require.NoError(t, err)
	told := make(chan reactor.Termination, 1)
	watcher, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		reactor.Watch(r, target).OnEvent(func(tm reactor.Termination) {
			told <- tm
			r.Main().Seal()
		})
	})
	require.NoError(t, err)
	require.NoError(t, target.Send(1))
	tm := reactortest.Receive(t, told)
	require.Equal(t, "target", tm.Reactor)
	require.True(t, strings.Contains(tm.Err.Error(), "target down"))
	reactortest.WaitClosed(t, watcher.Done())

	// Watching a reactor that has already terminated reports at once.
	late := make(chan reactor.Termination, 1)
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		reactor.Watch(r, target).OnEvent(func(tm reactor.Termination) { late <- tm })
	})
	require.NoError(t, err)
	require.Equal(t, "target", reactortest.Receive(t, late).Reactor)
}

// TestWatchRefusesForwardingChannels: a forwarding channel has no reactor;
// watching it is an error event, not a crash, and System reports nil.
func TestWatchRefusesForwardingChannels(t *testing.T) {
	sys, _ := newSys(t)
	fwd := reactor.ChannelOf[int](discard{})
	require.Nil(t, fwd.System())
	got := make(chan error, 1)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		reactor.Watch(r, fwd).OnError(func(err error) { got <- err })
	})
	require.NoError(t, err)
	require.Same(t, sys, ch.System())
	require.ErrorIs(t, reactortest.Receive(t, got), reactor.ErrNilChannel)
}

type discard struct{}

func (discard) Send(int) error { return nil }
func (discard) Name() string   { return "discard" }

// TestAfterTerminate: the callback runs once when the reactor ends, with
// its failure; at once for a reactor that has already ended; never for
// channels without a reactor.
func TestAfterTerminate(t *testing.T) {
	sys, _ := newSys(t)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) { panic("down") })
	})
	require.NoError(t, err)
	ended := make(chan error, 2)
	require.True(t, ch.AfterTerminate(func(err error) { ended <- err }))
	require.NoError(t, ch.Send(1))
	require.ErrorContains(t, reactortest.Receive(t, ended), "down")
	reactortest.WaitClosed(t, ch.Done())
	require.True(t, ch.AfterTerminate(func(err error) { ended <- err }))
	select {
	case err := <-ended:
		require.ErrorContains(t, err, "down", "called at once, on this goroutine")
	default:
		t.Fatal("a reactor that has ended calls back at once")
	}
	require.False(t, reactor.Channel[int]{}.AfterTerminate(func(error) { t.Error("called") }))
	require.False(t, reactor.ChannelOf[int](discard{}).AfterTerminate(func(error) { t.Error("called") }))
}
