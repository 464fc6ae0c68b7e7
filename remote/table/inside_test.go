package table_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
)

// TestTableOperationInsideReactorFailsAtOnce checks that a table
// operation made from a handler returns reactor.ErrInsideReactor instead
// of blocking the reactor, while the same call works from a plain
// goroutine.
func TestTableOperationInsideReactorFailsAtOnce(t *testing.T) {
	sys := newSystem(t)
	n := startNode(t, sys, remote.WithRegistry(), remote.WithNodeID("n1"))
	tb := openTable(t, n, "inside")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()

	errs := make(chan error, 1)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) {
			_, _, err := tb.Put(ctx, "k", 1)
			errs <- err
		})
	})
	require.NoError(t, err)
	require.NoError(t, ch.Send(1))
	select {
	case err := <-errs:
		require.ErrorIs(t, err, reactor.ErrInsideReactor)
	case <-time.After(wait):
		t.Fatal("a table operation hung inside a reactor")
	}
	_, _, err = tb.Put(ctx, "k", 1)
	require.NoError(t, err)
}
