package reactor_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

func TestShutdownStopsReactorsAndDeadLettersQueue(t *testing.T) {
	rec := &recorder{}
	sys := reactor.New(reactor.WithDeadLetterHandler(rec.deadLetter))
	gate := make(chan struct{})
	handling := make(chan struct{}, 10)
	terminated := make(chan struct{})
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Lifecycle().OnEvent(func(l reactor.Lifecycle) {
			if l.Phase == reactor.Terminated {
				close(terminated)
			}
		})
		r.Main().Events().OnEvent(func(int) {
			handling <- struct{}{}
			<-gate
		})
	})
	require.NoError(t, err)
	for i := range 10 {
		require.NoError(t, ch.Send(i))
	}
	<-handling // event 0 is being handled; the others are queued
	res := make(chan error, 1)
	go func() { res <- sys.Shutdown(context.Background()) }()
	close(gate)
	require.NoError(t, reactortest.Receive(t, res))
	<-terminated
	reactortest.WaitClosed(t, ch.Done())
	handled := 10 - len(rec.deadLetters())
	require.GreaterOrEqual(t, handled, 1)
	for _, d := range rec.deadLetters() {
		require.Equal(t, reactor.ReasonShutdown, d.Reason)
	}
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {})
	require.ErrorIs(t, err, reactor.ErrClosed)
	require.ErrorIs(t, ch.Send(1), reactor.ErrTerminated)
}

func TestShutdownWithExpiredContext(t *testing.T) {
	sys := reactor.New()
	gate := make(chan struct{})
	started := make(chan struct{})
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		close(started)
		<-gate // a constructor that does not return yet
	})
	require.NoError(t, err)
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = sys.Shutdown(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.Contains(t, err.Error(), "1 reactors still running")
	close(gate)
	require.NoError(t, sys.Shutdown(context.Background()), "a second Shutdown waits for the rest")
}

func TestShutdownIdleSystem(t *testing.T) {
	sys := reactor.New()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// Nothing runs: even an expired context succeeds.
	require.NoError(t, sys.Shutdown(ctx))
	require.NoError(t, sys.Shutdown(context.Background()))
}

func TestStats(t *testing.T) {
	sys, _ := newSys(t)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) { r.Main().Seal() })
	})
	require.NoError(t, err)
	require.NoError(t, ch.Send(1))
	reactortest.WaitClosed(t, ch.Done())
	require.ErrorIs(t, ch.Send(2), reactor.ErrTerminated)
	st := sys.Stats()
	require.Equal(t, uint64(1), st.Spawned)
	require.Equal(t, 0, st.Reactors)
	require.Equal(t, uint64(1), st.DeadLetters[reactor.ReasonTerminated])
}
