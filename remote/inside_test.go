package remote_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

// TestRemoteBlockingCallsInsideReactorFailAtOnce checks that a remote ask
// made from a handler returns reactor.ErrInsideReactor instead of
// blocking the reactor, while the same call works from a plain goroutine
// (remote/table checks its operations likewise).
func TestRemoteBlockingCallsInsideReactorFailAtOnce(t *testing.T) {
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	_, err := remote.Serve(n, "doubler", echoServer(t, sys))
	require.NoError(t, err)
	c, err := remote.NewClient[int, int](n, "doubler")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()

	err = remotetest.InsideReactor(t, sys, func() error {
		_, err := c.Ask(ctx, 2)
		return err
	})
	require.ErrorIs(t, err, reactor.ErrInsideReactor)
	got, err := c.Ask(ctx, 2)
	require.NoError(t, err)
	require.Equal(t, 4, got)
}
