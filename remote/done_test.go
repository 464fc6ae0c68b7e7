package remote_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

// TestRemoteChannelDoneClosesWithNode checks that a remote channel's
// Done is a real signal: open while its node runs, closed once the node
// is closed.
func TestRemoteChannelDoneClosesWithNode(t *testing.T) {
	sys, _ := remotetest.System(t)
	n, err := remote.Start(t.Context(), sys)
	require.NoError(t, err)
	ch, err := remote.Channel[int](n, "counter")
	require.NoError(t, err)
	done := ch.Done()
	require.NotNil(t, done)
	select {
	case <-done:
		t.Fatal("Done closed while the node runs")
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, n.Close(ctx))
	reactortest.WaitClosed(t, done)
}
