package remote_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
)

// TestRemoteBlockingCallsInsideReactorFailAtOnce checks that a remote ask
// made from a handler returns reactor.ErrInsideReactor instead of
// blocking the reactor, while the same call works from a plain goroutine
// (remote/table checks its operations likewise).
func TestRemoteBlockingCallsInsideReactorFailAtOnce(t *testing.T) {
	sys, _ := newSystem(t)
	n := startNode(t, sys)
	_, err := remote.Serve(n, "doubler", echoServer(t, sys))
	require.NoError(t, err)
	c, err := remote.NewClient[int, int](n, "doubler")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()

	errs := make(chan error, 1)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) {
			_, err := c.Ask(ctx, 2)
			errs <- err
		})
	})
	require.NoError(t, err)
	require.NoError(t, ch.Send(1))
	select {
	case err := <-errs:
		require.ErrorIs(t, err, reactor.ErrInsideReactor)
	case <-time.After(wait):
		t.Fatal("a remote call hung inside a reactor")
	}
	got, err := c.Ask(ctx, 2)
	require.NoError(t, err)
	require.Equal(t, 4, got)
}
