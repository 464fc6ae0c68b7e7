package remote

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote/internal/node"
)

// TestCloseRunsClosersFirst: the functions registered through
// node.Internals.OnClose run at the start of Close, in order, while the
// connection is still up, with Close's context; removed ones do not run,
// and none can be registered once Close has begun.
func TestCloseRunsClosersFirst(t *testing.T) {
	sys := reactor.New(reactor.WithLogger(zerolog.Nop()))
	defer func() { _ = sys.Shutdown(context.Background()) }()
	n, err := Start(t.Context(), sys)
	require.NoError(t, err)
	in := node.Of(n)
	var ran []string
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "close")
	for _, name := range []string{"first", "removed", "second"} {
		remove, err := in.OnClose(func(c context.Context) {
			require.Equal(t, "close", c.Value(key{}), "Close's context")
			require.True(t, n.Conn().IsConnected(), "before the connection drains")
			ran = append(ran, name)
		})
		require.NoError(t, err)
		if name == "removed" {
			remove()
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	require.NoError(t, n.Close(ctx))
	require.Equal(t, []string{"first", "second"}, ran)
	_, err = in.OnClose(func(context.Context) {})
	require.ErrorIs(t, err, ErrClosed)
	require.Zero(t, in.Replicas(), "no JetStream cluster of its own")
}
