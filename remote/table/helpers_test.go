package table_test

import (
	"context"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
)

// wait bounds every wait of a test.
const wait = 10 * time.Second

// newSystem returns a quiet system that is shut down when the test ends.
func newSystem(t *testing.T) *reactor.System {
	t.Helper()
	sys := reactor.New(reactor.WithLogger(zerolog.Nop()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		require.NoError(t, sys.Shutdown(ctx))
	})
	return sys
}

// startNode starts a node of sys that is closed when the test ends (if the
// test did not close it).
func startNode(t *testing.T, sys *reactor.System, opts ...remote.Option) *remote.Node {
	t.Helper()
	n, err := remote.Start(t.Context(), sys, opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := n.Close(ctx); err != nil {
			require.ErrorIs(t, err, remote.ErrClosed)
		}
	})
	return n
}

// jsServer starts a NATS server with JetStream listening on 127.0.0.1 on
// a random port, shut down when the test ends, and returns its client
// URL.
func jsServer(t *testing.T) string {
	t.Helper()
	o := &natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true,
		JetStream: true, StoreDir: t.TempDir()}
	s, err := natsserver.NewServer(o)
	require.NoError(t, err)
	s.Start()
	require.True(t, s.ReadyForConnections(wait))
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return s.ClientURL()
}

// member starts a node of its own system with a registry, as a client of
// the server at url.
func member(t *testing.T, url, id string, opts ...remote.Option) *remote.Node {
	t.Helper()
	opts = append([]remote.Option{remote.WithURL(url), remote.WithRegistry(), remote.WithNodeID(id)}, opts...)
	return startNode(t, newSystem(t), opts...)
}
