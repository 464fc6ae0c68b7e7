// Regression tests for concurrency bugs of the runtime. Each test's
// comment gives the mechanism and what the code does about it.

package reactor

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

// Bug 1: per-sender FIFO was broken by the fast path of Connector.send.
//
// The fast path puts an event into c.first when the sender wins the
// idle-to-scheduled switch and the queue looks empty. It used MPSC.Empty,
// which only looks at the slot at the consumer's index: while another
// producer has claimed that slot and not yet published it, Empty is true
// even if published events sit behind it. Sequence:
//
//  1. producer T claims slot k of the queue and is preempted before
//     publishing it;
//  2. sender S pushes e1 into slot k+1 (published) and notifies;
//  3. the turn pops nothing (slot k is not ready) and goes idle;
//  4. S sends e2: it wins idle->scheduled, Empty() is true (slot k is not
//     ready), so e2 goes into c.first;
//  5. the next turn delivers c.first (e2) before the queue (e1).
//
// internal/queue/regression_test.go has the deterministic half (Empty true,
// Drained false, with a published element behind a claimed slot). This
// test is statistical; before the fix it failed in most runs, and
// TestStressRandomSendsManyReactors failed in about a third of its runs.
// The fix is Drained instead of Empty in send.
func TestRegressionFastPathBreaksPerSenderFIFO(t *testing.T) {
	type ev struct{ sender, seq int }
	const reactors, senders, each, rounds = 4, 8, 4000, 4
	var violations atomic.Int64
	for round := 0; round < rounds && violations.Load() == 0; round++ {
		sys := New(WithLogger(zerolog.Nop()))
		var wg sync.WaitGroup
		chans := make([]Channel[ev], reactors)
		for i := range chans {
			wg.Add(1)
			n := 0
			last := make([]int, senders)
			for i := range last {
				last[i] = -1
			}
			ch, err := Spawn(sys, func(r *Reactor[ev]) {
				r.Main().Events().OnEvent(func(e ev) {
					if e.seq <= last[e.sender] {
						violations.Add(1)
					}
					last[e.sender] = e.seq
					if n++; n == senders*each {
						wg.Done()
					}
				})
			})
			require.NoError(t, err)
			chans[i] = ch
		}
		var sg sync.WaitGroup
		for s := range senders {
			sg.Go(func() {
				for i := range each * reactors {
					_ = chans[i%reactors].Send(ev{sender: s, seq: i})
				}
			})
		}
		sg.Wait()
		all := make(chan struct{})
		go func() { wg.Wait(); close(all) }()
		select {
		case <-all:
		case <-time.After(30 * time.Second):
			t.Fatal("events lost: a reactor never got all its events ")
		}
		require.NoError(t, sys.Shutdown(context.Background()))
	}
	require.Zero(t, violations.Load(), "events of one sender were delivered out of order")
}

// Bug 2: Shutdown waits for a restart backoff (it can stall for up to
// MaxBackoff).
//
// Shutdown sets flagStop and then notifies each reactor. If the reactor's
// turn is running, notify only sets the notified bit. When that turn fails
// and the restart policy has a backoff, fail() calls idleInBackoff, which
// CASes the state from scheduled|notified to idle and returns false,
// swallowing Shutdown's notification without looking at flagStop. The
// reactor then sleeps until the backoff timer fires, and only the timer's
// notify lets it see flagStop and terminate. (The same happens when the
// turn entered idleInBackoff from turn() with flags == flagBackoff and
// Shutdown's notification arrives meanwhile.)
//
// The fix: idleInBackoff treats flagStop like a cleared backoff, before and
// after its swap to idle. Shutdown sets flagStop before it notifies, so if
// the swap swallowed the notification the flag is visible to the re-check;
// otherwise notify finds the reactor idle and schedules it.
func TestRegressionShutdownWaitsForRestartBackoff(t *testing.T) {
	const backoff = 5 * time.Second
	sys := New(WithLogger(zerolog.Nop()), WithFailureHandler(func(Failure) {}))
	entered := make(chan struct{})
	ch, err := Spawn(sys, func(r *Reactor[int]) {
		r.Main().Events().OnEvent(func(int) {
			close(entered)
			// Wait (without sleeping) until Shutdown has flagged this
			// reactor and notified it: nothing else sends to it.
			for r.f.flags.Load()&flagStop == 0 || r.f.state.Load()&stNotified == 0 {
				runtime.Gosched()
			}
			panic("failure while Shutdown waits")
		})
	}, WithRestart(RestartPolicy{MaxRestarts: 5, Backoff: backoff, MaxBackoff: backoff}))
	require.NoError(t, err)
	require.NoError(t, ch.Send(1))
	<-entered
	// The reactor needs one more turn to terminate; 2s is plenty. With the
	// bug, Shutdown waits for the 5s backoff timer (with
	// context.Background() it would simply block that long).
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	first := sys.Shutdown(ctx)
	cancel()
	// Clean up either way: a second Shutdown notifies the reactor again,
	// which now finds it idle and schedules it.
	require.NoError(t, sys.Shutdown(context.Background()))
	require.NoError(t, first, "Shutdown's notification was swallowed by idleInBackoff")
}

// Bug 3: a Block-policy send released by Seal (or termination) returns
// ErrSealed/ErrTerminated but the event is neither delivered nor
// dead-lettered, contrary to Send's contract ("ErrSealed or ErrTerminated
// if the channel was already closed (the event is dead-lettered)") and C5.
//
// sendBounded returns waitRoom's error as is; waitRoom returns
// c.closedErr(s) when it wakes on a closed connector, and nobody
// dead-letters v.
//
// The fix: waitRoom returns an internal sentinel when it wakes on a
// closed connector, and sendBounded refuses the event like any send to a
// closed channel (error and dead letter).
func TestRegressionBlockedSendReleasedBySealIsLost(t *testing.T) {
	var mu sync.Mutex
	var dead []DeadLetter
	sys := New(WithLogger(zerolog.Nop()), WithDeadLetterHandler(func(d DeadLetter) {
		mu.Lock()
		dead = append(dead, d)
		mu.Unlock()
	}))
	defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
	entered, gate := make(chan struct{}), make(chan struct{})
	ch, err := Spawn(sys, func(r *Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) {
			if v == 0 {
				close(entered)
				<-gate
				r.Main().Seal()
			}
		})
	}, WithMain(Bounded(1, Block)))
	require.NoError(t, err)
	require.NoError(t, ch.Send(0))
	<-entered                      // event 0 is being handled, the mailbox is empty
	require.NoError(t, ch.Send(1)) // fills the mailbox
	res := make(chan error, 1)
	go func() { res <- ch.Send(2) }()
	for ch.c.cx.blk.waiters.Load() == 0 { // the sender is waiting for room
		runtime.Gosched()
	}
	close(gate) // Seal: 1 is dead-lettered, the waiting sender wakes
	err = <-res
	require.True(t, errors.Is(err, ErrSealed) || errors.Is(err, ErrTerminated), "got %v", err)
	<-ch.Done()
	mu.Lock()
	defer mu.Unlock()
	got := map[any]Reason{}
	for _, d := range dead {
		got[d.Event] = d.Reason
	}
	require.Contains(t, got, 1, "the queued event is dead-lettered")
	require.Contains(t, got, 2, "Send(2) returned ErrSealed, but event 2 was neither delivered nor dead-lettered")
}

// Bug 4 (lower severity): the dead-letter handler is called with the
// reactor's x.mu held when the owner (Seal, termination) or a late sender
// (discardLate) discards queued events. x.mu also guards Channel.Err,
// Channel.Done, Reactor.Restarts and watch registration, so a dead-letter
// handler that calls any of them for the reactor whose events it is told
// about deadlocks that reactor's turn (and then Shutdown). The handler's
// documented restrictions (fast, no blocking, no send to the same channel)
// do not cover these non-blocking calls.
//
// The fix: discards are guarded by a per-connector lock bit, not x.mu, and
// the discarded events are dead-lettered after it is released.
//
// The test calls Err from the handler on another goroutine and gives up
// after two seconds, so the deadlock does not leak.
func TestRegressionDeadLetterHandlerRunsUnderFrameLock(t *testing.T) {
	var target atomic.Pointer[Channel[int]]
	blocked := make(chan bool, 16)
	sys := New(WithLogger(zerolog.Nop()), WithDeadLetterHandler(func(d DeadLetter) {
		ch := target.Load()
		if ch == nil {
			return
		}
		res := make(chan struct{})
		go func() { _ = ch.Err(); close(res) }()
		select {
		case <-res:
			blocked <- false
		case <-time.After(2 * time.Second):
			blocked <- true // the goroutine finishes once we return and unlock
		}
	}))
	defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
	gate := make(chan struct{})
	ch, err := Spawn(sys, func(r *Reactor[int]) {
		<-gate
		r.Main().Seal() // with an event queued: dead-lettered under x.mu
	})
	require.NoError(t, err)
	target.Store(&ch)
	require.NoError(t, ch.Send(1))
	close(gate)
	<-ch.Done()
	require.False(t, <-blocked, "Channel.Err blocked inside the dead-letter handler (x.mu is held)")
}

// Bug 5: a reactor's Done channel is closed (and its watchers told) before
// its name is released and before it leaves the live list. terminate closes
// x.done under x.mu, calls the watchers, and only then calls
// names.releaseReactor and sys.unregister. So "wait for Done, then spawn
// a new reactor under the same name" (what TestNameIsReleasedAtTermination
// does) can fail with ErrDuplicateName, and Stats().Reactors still counts
// a reactor whose Done is closed.
//
// The first test is deterministic: the watcher callback runs on the
// terminating goroutine, and the name must be free by then. (Since then
// Done closes after the watchers have run, so that whoever sees it
// closed knows routers have dropped the reactor; the test checks that
// order too.) The second shows the same race through the public API only.
//
// The fix: terminate releases the reactor's name and leaves the live list
// before it closes done and calls the watchers.
func TestRegressionNameStillTakenWhenDoneCloses(t *testing.T) {
	sys := New(WithLogger(zerolog.Nop()))
	defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
	res := make(chan error, 1)
	_, err := Spawn(sys, func(r *Reactor[int]) {
		done := r.Main().Channel().Done() // allocated before termination
		r.f.onTerminate(func(error) {
			select {
			case <-done:
				res <- errors.New("Done closed before the watchers ran")
				return
			default:
			}
			_, err := Spawn(sys, func(r *Reactor[int]) { r.Main().Seal() }, WithName("once"))
			res <- err
		})
		r.Main().Seal()
	}, WithName("once"))
	require.NoError(t, err)
	require.NoError(t, <-res, "Done is closed but the name is still taken")
}

func TestRegressionNameStillTakenAfterDonePublicAPI(t *testing.T) {
	sys := New(WithLogger(zerolog.Nop()))
	defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
	dup := 0
	for range 3000 {
		// The previous reactor of this name has closed its Done channel.
		for {
			ch, err := Spawn(sys, func(r *Reactor[int]) { r.Main().Seal() }, WithName("again"), WithScheduler(Dedicated))
			if err == nil {
				<-ch.Done()
				break
			}
			require.ErrorIs(t, err, ErrDuplicateName)
			dup++
			runtime.Gosched() // the previous one is still releasing its name
		}
	}
	require.Zero(t, dup, "Spawn right after Done failed with ErrDuplicateName %d times", dup)
}

// Bug 6: a turn read the mailbox's consumer index after its handler had
// sealed the connector, racing with late senders.
//
// Connector.drain published how far it had read (MPSC.Publish, for
// Channel.Len) after its loop, also when the loop ended because a handler
// sealed the connector. From the seal on, every pop happens under the
// discard lock, and a late sender's Send empties the queue itself
// (discardLate), moving the consumer index that Publish was reading
// without the lock. The race detector saw it in TestStressSealRacesSends.
// drain now publishes only while the connector is open.
func TestRegressionPublishAfterSeal(t *testing.T) {
	sys := New(WithLogger(zerolog.Nop()))
	defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
	for range 200 {
		ch, err := Spawn(sys, func(r *Reactor[int]) {
			r.Main().Events().OnEvent(func(v int) {
				if v == 3 {
					r.Main().Seal()
				}
			})
		})
		require.NoError(t, err)
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				for i := range 20 {
					_ = ch.Send(i) // ErrSealed once sealed
				}
			})
		}
		wg.Wait()
		<-ch.Done()
	}
}
