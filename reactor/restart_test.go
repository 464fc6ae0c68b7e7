package reactor_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// restartDelays fails a reactor under p once per gap, n times, on a
// bubble's virtual time, and returns how long each restart waited: from
// the failing event to the next incarnation's constructor.
func restartDelays(t *testing.T, p reactor.RestartPolicy, gap time.Duration, n int) []time.Duration {
	var delays []time.Duration
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		started := make(chan time.Time, n+1)
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			started <- time.Now()
			r.Main().Events().OnEvent(func(int) { panic("fail") })
		}, reactor.WithRestart(p))
		require.NoError(t, err)
		synctest.Wait()
		<-started
		for range n {
			failed := time.Now()
			require.NoError(t, ch.Send(1))
			time.Sleep(gap)
			synctest.Wait()
			select {
			case at := <-started:
				delays = append(delays, at.Sub(failed))
			default:
				t.Fatalf("no restart within %v", gap)
			}
		}
	}, reactor.WithFailureHandler(func(reactor.Failure) {}))
	return delays
}

// TestRestartBackoffStartsOverAfterQuietWindow checks that a failure
// coming after a whole Window without one waits Backoff again, however
// many restarts came before.
func TestRestartBackoffStartsOverAfterQuietWindow(t *testing.T) {
	p := reactor.RestartPolicy{MaxRestarts: 3, Window: 100 * time.Millisecond, Backoff: 5 * time.Millisecond, MaxBackoff: 10 * time.Second}
	for i, d := range restartDelays(t, p, 300*time.Millisecond, 6) {
		require.Equal(t, 5*time.Millisecond, d, "restart %d", i)
	}
}

// TestRestartBackoffDoublesWithinWindow checks that failures within one
// Window double the wait up to MaxBackoff.
func TestRestartBackoffDoublesWithinWindow(t *testing.T) {
	p := reactor.RestartPolicy{MaxRestarts: 10, Window: time.Hour, Backoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}
	ms := time.Millisecond
	require.Equal(t, []time.Duration{5 * ms, 10 * ms, 20 * ms, 20 * ms}, restartDelays(t, p, 100*ms, 4))
}

// TestRestartPolicyZeroValues checks what the zero fields mean: no
// MaxBackoff keeps the wait at Backoff, no Backoff restarts at once.
func TestRestartPolicyZeroValues(t *testing.T) {
	ms := time.Millisecond
	require.Equal(t, []time.Duration{5 * ms, 5 * ms, 5 * ms},
		restartDelays(t, reactor.RestartPolicy{MaxRestarts: 5, Backoff: 5 * ms}, 50*ms, 3))
	require.Equal(t, []time.Duration{0, 0},
		restartDelays(t, reactor.RestartPolicy{MaxRestarts: 5}, 50*ms, 2))
}

// TestZeroRestartPolicyNeverRestarts checks that the zero RestartPolicy
// means no restart: the first failure terminates the reactor.
func TestZeroRestartPolicyNeverRestarts(t *testing.T) {
	sys, rec := newSys(t)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) { panic("fail") })
	}, reactor.WithRestart(reactor.RestartPolicy{}))
	require.NoError(t, err)
	require.NoError(t, ch.Send(1))
	require.True(t, reactortest.Receive(t, rec.failed).Final)
	reactortest.WaitClosed(t, ch.Done())
}

// TestRestartKeepsTheNewIncarnationsHandlers checks that a subscription
// kept from a failed incarnation cannot remove a handler of the next
// one: each constructor removes the previous incarnation's handler after
// subscribing its own, and the events after the restart still reach the
// new handler.
func TestRestartKeepsTheNewIncarnationsHandlers(t *testing.T) {
	sys, rec := newSys(t, reactor.WithFailureHandler(func(reactor.Failure) {}))
	got := make(chan int, 10)
	var old events.Subscription // owned by the reactor's constructors, one at a time
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		sub := r.Main().Events().OnEvent(func(v int) {
			if v < 0 {
				panic("fail")
			}
			got <- v
		})
		if old != nil {
			old.Unsubscribe()
		}
		old = sub
	}, reactor.WithRestart(reactor.RestartPolicy{MaxRestarts: 3}))
	require.NoError(t, err)
	require.NoError(t, ch.Send(1))
	require.Equal(t, 1, reactortest.Receive(t, got))
	require.NoError(t, ch.Send(-1))
	require.NoError(t, ch.Send(2))
	require.Equal(t, 2, reactortest.Receive(t, got))
	require.Empty(t, rec.deadLetters())
}

// TestRestartOnEveryScheduler checks that a restart policy runs the body
// again on a dedicated goroutine and on the caller's (Run), as on the
// pool: the next incarnation handles the events after the failure.
func TestRestartOnEveryScheduler(t *testing.T) {
	policy := reactor.WithRestart(reactor.RestartPolicy{MaxRestarts: 3})
	for _, sched := range []reactor.Scheduler{reactor.SharedPool, reactor.Dedicated} {
		sys, _ := newSys(t, reactor.WithFailureHandler(func(reactor.Failure) {}))
		got := make(chan int, 10)
		incarnations := make(chan struct{}, 10)
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			incarnations <- struct{}{}
			r.Main().Events().OnEvent(func(v int) {
				if v < 0 {
					panic("fail")
				}
				got <- v
			})
		}, policy, reactor.WithScheduler(sched))
		require.NoError(t, err)
		require.NoError(t, ch.Send(-1))
		require.NoError(t, ch.Send(1))
		require.Equal(t, 1, reactortest.Receive(t, got))
		require.Len(t, incarnations, 2)
	}

	sys, _ := newSys(t, reactor.WithFailureHandler(func(reactor.Failure) {}))
	chans := make(chan reactor.Channel[int], 2)
	got := make(chan int, 10)
	done := make(chan error, 1)
	go func() {
		done <- reactor.Run(sys, func(r *reactor.Reactor[int]) {
			chans <- r.Main().Channel()
			r.Main().Events().OnEvent(func(v int) {
				if v < 0 {
					panic("fail")
				}
				got <- v
				r.Main().Seal()
			})
		}, policy)
	}()
	ch := reactortest.Receive(t, chans)
	require.NoError(t, ch.Send(-1))
	require.NoError(t, ch.Send(2))
	require.Equal(t, 2, reactortest.Receive(t, got))
	require.NoError(t, reactortest.Receive(t, done), "the second incarnation ended normally")
	require.Len(t, chans, 1, "each incarnation's body ran: the first's channel was taken above")
}
