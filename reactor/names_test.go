package reactor_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

func TestGet(t *testing.T) {
	sys, _ := newSys(t)
	opened := make(chan struct{})
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		c, err := reactor.Open[string](r, reactor.Named("log"))
		require.NoError(t, err)
		c.Events().OnEvent(func(string) {})
		close(opened)
	}, reactor.WithName("svc"))
	require.NoError(t, err)
	got, err := reactor.Get[int](sys, "svc#main")
	require.NoError(t, err)
	require.True(t, got == ch)
	require.Equal(t, "svc#main", got.Name())

	<-opened
	_, err = reactor.Get[string](sys, "svc#log")
	require.NoError(t, err)
	_, err = reactor.Get[int](sys, "svc#log")
	require.ErrorIs(t, err, reactor.ErrWrongType)
	_, err = reactor.Get[int](sys, "svc#nope")
	require.ErrorIs(t, err, reactor.ErrNotFound)
	for _, bad := range []string{"svc", "#main", "svc#", "a#b#c", "a b#c"} {
		_, err = reactor.Get[int](sys, bad)
		require.ErrorIs(t, err, reactor.ErrInvalidName, bad)
	}
}

func TestAwaitNameThatAppearsLater(t *testing.T) {
	sys, _ := newSys(t)
	found := make(chan reactor.Channel[int], 1)
	waiting := make(chan struct{})
	go func() {
		close(waiting)
		ch, err := reactor.Await[int](context.Background(), sys, "late#main")
		if err == nil {
			found <- ch
		}
	}()
	<-waiting
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {}, reactor.WithName("late"))
	require.NoError(t, err)
	require.True(t, reactortest.Receive(t, found) == ch)
}

func TestAwaitNameThatNeverAppears(t *testing.T) {
	sys, _ := newSys(t)
	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan error, 1)
	go func() {
		_, err := reactor.Await[int](ctx, sys, "never#main")
		res <- err
	}()
	cancel()
	require.ErrorIs(t, reactortest.Receive(t, res), context.Canceled)

	_, err := reactor.Await[int](context.Background(), sys, "no-hash")
	require.ErrorIs(t, err, reactor.ErrInvalidName)
}

func TestUnnamedReactorsAreNotRegistered(t *testing.T) {
	sys, _ := newSys(t)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {})
	require.NoError(t, err)
	_, err = reactor.Get[int](sys, ch.Name())
	require.ErrorIs(t, err, reactor.ErrNotFound)
}

func TestChannelUnregisteredWhenSealed(t *testing.T) {
	sys, _ := newSys(t)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) { r.Main().Seal() })
	}, reactor.WithName("short"))
	require.NoError(t, err)
	require.NoError(t, ch.Send(1))
	reactortest.WaitClosed(t, ch.Done())
	_, err = reactor.Get[int](sys, "short#main")
	require.ErrorIs(t, err, reactor.ErrNotFound)
}
