package reactor

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

// An Await that is already waiting when Shutdown is called ends with
// ErrClosed and leaves no waiter behind. The test waits for the call to
// be registered as a waiter (a condition on the registry, which the
// external tests cannot see), so that it covers the wake-up and not the
// check at the start of Await.
func TestAwaitUnderWayEndsWithErrClosedAtShutdown(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sys := New(WithLogger(zerolog.Nop()))
	res := make(chan error, 1)
	go func() {
		_, err := Await[int](ctx, sys, "later#main")
		res <- err
	}()
	for waiters := 0; waiters == 0; runtime.Gosched() {
		sys.names.mu.Lock()
		waiters = len(sys.names.waiters["later#main"])
		sys.names.mu.Unlock()
	}
	require.NoError(t, sys.Shutdown(ctx))
	require.ErrorIs(t, <-res, ErrClosed)
	sys.names.mu.Lock()
	defer sys.names.mu.Unlock()
	require.Empty(t, sys.names.waiters)
}
