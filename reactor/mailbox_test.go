package reactor_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// spawnGated spawns a reactor with a bounded main mailbox whose constructor
// waits on gate, so the test can fill the mailbox deterministically. Every
// handled event is sent to got.
func spawnGated(t *testing.T, sys *reactor.System, bound int, policy reactor.Overflow) (reactor.Channel[int], chan struct{}, chan int) {
	t.Helper()
	gate := make(chan struct{})
	got := make(chan int, 100)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) { got <- v })
		<-gate
	}, reactor.WithMain(reactor.Bounded(bound, policy)))
	require.NoError(t, err)
	return ch, gate, got
}

func TestBoundedDropNewest(t *testing.T) {
	sys, rec := newSys(t)
	ch, gate, got := spawnGated(t, sys, 2, reactor.DropNewest)
	for i := 1; i <= 4; i++ {
		require.NoError(t, ch.Send(i))
	}
	close(gate)
	require.Equal(t, 1, reactortest.Receive(t, got))
	require.Equal(t, 2, reactortest.Receive(t, got))
	dl := rec.deadLetters()
	require.Len(t, dl, 2)
	require.Equal(t, []any{3, 4}, []any{dl[0].Event, dl[1].Event})
	require.Equal(t, reactor.ReasonOverflow, dl[0].Reason)
}

func TestBoundedDropOldest(t *testing.T) {
	sys, rec := newSys(t)
	ch, gate, got := spawnGated(t, sys, 2, reactor.DropOldest)
	for i := 1; i <= 4; i++ {
		require.NoError(t, ch.Send(i))
	}
	close(gate)
	require.Equal(t, 3, reactortest.Receive(t, got))
	require.Equal(t, 4, reactortest.Receive(t, got))
	dl := rec.deadLetters()
	require.Len(t, dl, 2)
	require.Equal(t, []any{1, 2}, []any{dl[0].Event, dl[1].Event})
}

func TestBoundedFail(t *testing.T) {
	sys, rec := newSys(t)
	ch, gate, got := spawnGated(t, sys, 2, reactor.Fail)
	require.NoError(t, ch.Send(1))
	require.NoError(t, ch.Send(2))
	require.ErrorIs(t, ch.Send(3), reactor.ErrFull)
	close(gate)
	require.Equal(t, 1, reactortest.Receive(t, got))
	require.Equal(t, 2, reactortest.Receive(t, got))
	require.Empty(t, rec.deadLetters(), "a refused event stays with the sender")
}

func TestBoundedBlock(t *testing.T) {
	sys, _ := newSys(t)
	ch, gate, got := spawnGated(t, sys, 2, reactor.Block)
	require.NoError(t, ch.Send(1))
	require.NoError(t, ch.Send(2))

	// A full mailbox: Offer gives up when its context ends.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, ch.Offer(ctx, 99), context.Canceled)

	// A blocked sender proceeds once the reactor makes room.
	sent := make(chan error, 1)
	go func() { sent <- ch.Send(3) }()
	close(gate)
	require.NoError(t, reactortest.Receive(t, sent))
	require.Equal(t, 1, reactortest.Receive(t, got))
	require.Equal(t, 2, reactortest.Receive(t, got))
	require.Equal(t, 3, reactortest.Receive(t, got))
}

func TestBlockPolicyInsideReactorDoesNotBlock(t *testing.T) {
	for _, s := range []reactor.Scheduler{reactor.SharedPool, reactor.Dedicated} {
		sys, _ := newSys(t, reactor.WithWorkers(2))
		target, gate, _ := spawnGated(t, sys, 1, reactor.Block)
		require.NoError(t, target.Send(1))
		res := make(chan error, 1)
		_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			res <- target.Send(2) // from inside a reactor: ErrFull, not a deadlock
		}, reactor.WithScheduler(s))
		require.NoError(t, err)
		require.ErrorIs(t, reactortest.Receive(t, res), reactor.ErrFull, "scheduler %d", s)
		close(gate)
	}
}

func TestBlockedSenderReleasedBySeal(t *testing.T) {
	sys, rec := newSys(t)
	gate := make(chan struct{})
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		<-gate
		r.Main().Seal() // with one event queued and a sender waiting
	}, reactor.WithMain(reactor.Bounded(1, reactor.Block)))
	require.NoError(t, err)
	require.NoError(t, ch.Send(1))
	sent := make(chan error, 1)
	go func() { sent <- ch.Send(2) }()
	close(gate)
	err = reactortest.Receive(t, sent)
	if err == nil {
		// The seal dead-lettered event 1 and so made room, and the sender
		// took it before it saw the seal: then its event is dead-lettered
		// too, as the delivery guarantee says.
		require.Eventually(t, func() bool {
			for _, d := range rec.deadLetters() {
				if d.Event == 2 {
					return true
				}
			}
			return false
		}, 10*time.Second, time.Millisecond, "a send that returned nil on a sealed mailbox is dead-lettered")
		return
	}
	require.True(t, err == reactor.ErrSealed || err == reactor.ErrTerminated, "got %v", err)
}
