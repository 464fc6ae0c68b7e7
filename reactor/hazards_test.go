// Tests of the runtime's concurrency hazards: each names the property it
// holds, and its comment gives the interleaving that would break it and
// what in the code prevents it.

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

// TestFastPathKeepsPerSenderFIFO: an event handed over by the send fast
// path (Connector.first) never overtakes an earlier event of its sender.
//
// The fast path takes the idle-to-scheduled switch and puts the event in
// c.first, which the next turn delivers before the queue, so it must be
// sure that no event waits in the queue. MPSC.Empty only looks at the
// slot at the consumer's index: while another producer has claimed that
// slot and not yet published it, Empty is true even if published events
// sit behind it. Sequence:
//
//  1. producer T claims slot k of the queue and is preempted before
//     publishing it;
//  2. sender S pushes e1 into slot k+1 (published) and notifies;
//  3. the turn pops nothing (slot k is not ready) and goes idle;
//  4. S sends e2: it wins idle->scheduled and, if it asked Empty, would
//     put e2 into c.first;
//  5. the next turn would deliver c.first (e2) before the queue (e1).
//
// send asks Drained, which is false in step 4. The deterministic half is
// internal/queue's TestDrainedSeesPublishedElementBehindClaimedSlot; this
// test is statistical, as is TestStressRandomSendsManyReactors.
func TestFastPathKeepsPerSenderFIFO(t *testing.T) {
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

// TestShutdownEndsRestartBackoff: Shutdown terminates a reactor that
// waits to restart at once, not when its backoff ends (up to MaxBackoff).
//
// Shutdown sets flagStop and then notifies each reactor. If the reactor's
// turn is running, notify only sets the notified bit. When that turn fails
// and the restart policy has a backoff, fail() calls idleInBackoff, which
// swaps the state from scheduled|notified to idle, swallowing Shutdown's
// notification. (The same holds when the turn entered idleInBackoff from
// turn() with flags == flagBackoff and the notification arrives
// meanwhile.) idleInBackoff therefore treats flagStop like a cleared
// backoff, before and after its swap to idle: Shutdown sets flagStop
// before it notifies, so if the swap swallowed the notification the flag
// is visible to the re-check; otherwise notify finds the reactor idle and
// schedules it.
func TestShutdownEndsRestartBackoff(t *testing.T) {
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

// TestBlockedSendReleasedBySealIsDeadLettered: a Block-policy send that
// waits for room and is released by Seal (or termination) returns the
// closed channel's error and dead-letters its event, as Send promises.
//
// waitRoom wakes on a closed connector; if sendBounded returned its
// error as is, nobody would deliver or dead-letter the event. waitRoom
// returns the internal errClosedWhileWaiting instead, and sendBounded
// refuses the event like any send to a closed channel (error and dead
// letter).
func TestBlockedSendReleasedBySealIsDeadLettered(t *testing.T) {
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

// TestDeadLetterHandlerRunsWithoutFrameLock: the dead-letter handler
// may call Channel.Err (and Done, Restarts, watches) of the reactor whose
// events it is told about.
//
// Those calls take the reactor's x.mu. Were the handler called with x.mu
// held, as a discard by the owner (Seal, termination) or by a late
// sender (discardLate) could do, they would deadlock that reactor's turn
// and then Shutdown. Discards are guarded by a per-connector lock bit
// instead, and the discarded events are dead-lettered after it is
// released.
//
// The test calls Err from the handler on another goroutine and gives up
// after two seconds, so that a deadlock does not leak.
func TestDeadLetterHandlerRunsWithoutFrameLock(t *testing.T) {
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

// TestNameIsFreeWhenDoneCloses: once a reactor's Done is closed (and
// when its watchers run), its name is free and it has left the live list,
// so "wait for Done, then spawn a new reactor under the same name" never
// fails with ErrDuplicateName, and Stats().Reactors no longer counts it.
// terminate releases the name and unregisters first, then runs the
// watchers, then closes Done (so that whoever sees Done closed knows that
// routers have dropped the reactor: the test checks that order too).
//
// This test is deterministic: the watcher runs on the terminating
// goroutine, and the name must be free by then.
func TestNameIsFreeWhenDoneCloses(t *testing.T) {
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

// TestNameIsFreeAfterDone is TestNameIsFreeWhenDoneCloses through the
// public API only, over many terminations.
func TestNameIsFreeAfterDone(t *testing.T) {
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

// TestSealInHandlerRacesNoLateSender: a turn whose handler seals the
// connector does not read the mailbox's consumer index while late
// senders move it.
//
// Connector.drain publishes how far it has read (MPSC.Publish, for
// Channel.Len). From the seal on, every pop happens under the discard
// lock, and a late sender's Send empties the queue itself (discardLate),
// moving the consumer index without the turn. So drain publishes only
// while the connector is open; the race detector checks the rest (as in
// TestStressSealRacesSends).
func TestSealInHandlerRacesNoLateSender(t *testing.T) {
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
