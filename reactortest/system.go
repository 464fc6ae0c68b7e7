package reactortest

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/reactors-go/reactors/reactor"
)

// Patience is how long [Receive] and [WaitClosed] wait before they fail the
// test, and how long the Shutdown of a [NewSystem] system may take. A hang
// is a bug either way: the bound only turns it into a readable failure,
// and is generous so that a slow or busy machine never trips it.
const Patience = 10 * time.Second

// NewSystem returns a system for t that is shut down when t ends
// (t.Cleanup), as httptest.NewServer gives a server that the test closes.
// Its logger is silent ([zerolog.Nop]) unless opts give one; opts apply in
// order after that default. If the shutdown fails (a reactor still runs
// after [Patience]), t fails with the error.
func NewSystem(t testing.TB, opts ...reactor.Option) *reactor.System {
	t.Helper()
	sys := reactor.New(append([]reactor.Option{reactor.WithLogger(zerolog.Nop())}, opts...)...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), Patience)
		defer cancel()
		if err := sys.Shutdown(ctx); err != nil {
			t.Errorf("reactortest: shutdown at the end of the test: %v", err)
		}
	})
	return sys
}

// Receive returns the next value from ch, or fails t (t.Fatal) if none
// comes within [Patience]. Call it from the test's goroutine.
func Receive[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	timer := time.NewTimer(Patience)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("reactortest: nothing received within %v", Patience)
		panic("unreachable")
	}
}

// WaitClosed returns once ch is closed (a Done channel, say), or fails t
// (t.Fatal) if it is still open after [Patience]. A value received from
// ch does not count: only its closing does. Call it from the test's
// goroutine.
func WaitClosed[T any](t testing.TB, ch <-chan T) {
	t.Helper()
	timer := time.NewTimer(Patience)
	defer timer.Stop()
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timer.C:
			t.Fatalf("reactortest: not closed within %v", Patience)
		}
	}
}
