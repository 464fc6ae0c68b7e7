package reactor_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
)

// newSys returns a system that is shut down when the test ends. Failures and
// dead letters are recorded instead of logged.
func newSys(t *testing.T, opts ...reactor.Option) (*reactor.System, *recorder) {
	t.Helper()
	rec := &recorder{failed: make(chan reactor.Failure, 100)}
	opts = append([]reactor.Option{
		reactor.WithLogger(zerolog.Nop()),
		reactor.WithFailureHandler(func(f reactor.Failure) { rec.failed <- f }),
		reactor.WithDeadLetterHandler(rec.deadLetter),
	}, opts...)
	sys := reactor.New(opts...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, sys.Shutdown(ctx))
	})
	return sys, rec
}

// recorder collects what the system reports.
type recorder struct {
	failed chan reactor.Failure
	mu     sync.Mutex
	dead   []reactor.DeadLetter
}

func (r *recorder) deadLetter(d reactor.DeadLetter) {
	r.mu.Lock()
	r.dead = append(r.dead, d)
	r.mu.Unlock()
}

func (r *recorder) deadLetters() []reactor.DeadLetter {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]reactor.DeadLetter(nil), r.dead...)
}

// recv waits for a value on ch, failing the test after a generous deadline
// (a hang is a bug; the deadline only turns it into a readable failure).
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for a value")
		panic("unreachable")
	}
}

func waitDone(t *testing.T, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for termination")
	}
}
