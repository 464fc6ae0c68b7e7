package table_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

// TestTableOperationInsideReactorFailsAtOnce checks that a table
// operation made from a handler returns reactor.ErrInsideReactor instead
// of blocking the reactor, while the same call works from a plain
// goroutine.
func TestTableOperationInsideReactorFailsAtOnce(t *testing.T) {
	sys := reactortest.NewSystem(t)
	n := remotetest.StartNode(t, sys, remote.WithRegistry(), remote.WithNodeID("n1"))
	tb := openTable(t, n, "inside")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()

	err := remotetest.InsideReactor(t, sys, func() error {
		_, _, err := tb.Put(ctx, "k", 1)
		return err
	})
	require.ErrorIs(t, err, reactor.ErrInsideReactor)
	_, _, err = tb.Put(ctx, "k", 1)
	require.NoError(t, err)
}
