package reactor_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// TestTurnNeverExceedsBudget: however many senders notify a running
// turn, it handles at most the budget of events (a turn that finds
// more events queued after its sender's notification reads them within
// the budget it has left, and leaves the rest to a later turn), and
// every event is handled once, in each sender's order. Turns are
// counted through the lifecycle stream (Scheduled opens a turn,
// Preempted closes it), on the pool and on a dedicated goroutine.
func TestTurnNeverExceedsBudget(t *testing.T) {
	const budget, senders, each, rounds = 16, 2, 50000, 6
	for name, sc := range schedulers {
		t.Run(name, func(t *testing.T) {
			for range rounds {
				turnsWithinBudget(t, sc, budget, senders, each)
			}
		})
	}
}

// turnsWithinBudget is one round of TestTurnNeverExceedsBudget: senders
// goroutines send each events to a reactor whose turns have the budget.
func turnsWithinBudget(t *testing.T, sc reactor.Scheduler, budget, senders, each int) {
	t.Helper()
	sys, _ := newSys(t, reactor.WithBudget(budget))
	type result struct{ turns, worst int }
	done := make(chan result, 1)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[[2]int]) {
		var res result
		inTurn, handled := 0, 0
		next := make([]int, senders)
		r.Lifecycle().OnEvent(func(l reactor.Lifecycle) {
			if l.Phase == reactor.Scheduled {
				inTurn = 0
				res.turns++
			}
		})
		r.Main().Events().OnEvent(func(e [2]int) {
			inTurn++
			res.worst = max(res.worst, inTurn)
			if e[1] != next[e[0]] {
				panic(fmt.Sprintf("sender %d: got %d, want %d", e[0], e[1], next[e[0]]))
			}
			next[e[0]]++
			if handled++; handled == senders*each {
				done <- res
			}
		})
	}, reactor.WithScheduler(sc))
	require.NoError(t, err)
	for s := range senders {
		go func() {
			for i := range each {
				if err := ch.Send([2]int{s, i}); err != nil {
					panic(err)
				}
			}
		}()
	}
	res := reactortest.Receive(t, done)
	require.LessOrEqual(t, res.worst, budget, "events in one turn")
	require.GreaterOrEqual(t, res.turns, senders*each/budget)
}

// TestConnectorOpenedMidTurnIsRead: a handler that opens a connector
// and sends to it from the same turn gets that event, on the pool and
// on a dedicated goroutine. The send finds the reactor running and only
// notifies it; the turn must look at the new connector before it ends
// (a turn that re-read only its main connector on that notification
// lost the event until the next send).
func TestConnectorOpenedMidTurnIsRead(t *testing.T) {
	for name, sc := range schedulers {
		t.Run(name, func(t *testing.T) {
			sys, _ := newSys(t)
			got := make(chan int, 1)
			ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
				r.Main().Events().OnEvent(func(int) {
					b, err := reactor.Open[int](r)
					if err != nil {
						panic(err)
					}
					b.Events().OnEvent(func(v int) { got <- v })
					if err := b.Channel().Send(42); err != nil {
						panic(err)
					}
				})
			}, reactor.WithScheduler(sc))
			require.NoError(t, err)
			require.NoError(t, ch.Send(1))
			require.Equal(t, 42, reactortest.Receive(t, got))
		})
	}
}

// TestBusyReactorReleasesMailboxOnceIdle: a reactor that a sender keeps
// busy keeps its mailbox's segments from turn to turn (a notified turn
// does not trim), and releases them once it goes idle, so that an idle
// reactor pins no queue memory however busy it was. On the pool and on
// a dedicated goroutine.
func TestBusyReactorReleasesMailboxOnceIdle(t *testing.T) {
	for name, sc := range schedulers {
		t.Run(name, func(t *testing.T) {
			sys, _ := newSys(t)
			const n = 10_000
			gate := make(chan struct{})
			handled := make(chan int, 1)
			ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
				count := 0
				r.Main().Events().OnEvent(func(v int) {
					if v == 0 {
						<-gate // the sender fills the queue meanwhile
					}
					if count++; count == n {
						handled <- count
					}
				})
			}, reactor.WithScheduler(sc))
			require.NoError(t, err)
			require.NoError(t, ch.Send(0))
			for i := 1; i < n; i++ {
				require.NoError(t, ch.Send(i))
			}
			require.True(t, reactor.MailboxHeld(ch), "the queued events sit in segments")
			close(gate)
			require.Equal(t, n, reactortest.Receive(t, handled))

			// The turn that handled the last event ends and the reactor
			// goes idle: wait for that (it gets no events, so nothing
			// else can schedule it), then look at its mailbox.
			end := time.Now().Add(reactortest.Patience)
			for !reactor.Idle(ch) {
				require.True(t, time.Now().Before(end), "the reactor never went idle")
				runtime.Gosched()
			}
			require.False(t, reactor.MailboxHeld(ch), "an idle reactor pins no segment")
		})
	}
}
