package reactortest

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/rs/zerolog"

	"github.com/reactors-go/reactors/reactor"
)

// InBubble runs f in a testing/synctest bubble (synctest.Test) with a
// system of its own, made inside the bubble, so that the system's timers,
// clock streams and time operators all run on the bubble's virtual time:
// time moves only when every goroutine of the bubble is blocked, so the
// times f measures are exact and sleeping costs no wall time, and a wait
// for something that never comes deadlocks the bubble, which fails t.
//
// When f returns, InBubble waits until the bubble is idle
// (synctest.Wait), fails t (Errorf) if the system has any dead letter,
// whatever its reason, then shuts the system down inside the bubble, as
// synctest requires of the goroutines a bubble starts. The shutdown also
// runs when f ends t with FailNow; if it fails, so does t. A test that
// expects dead letters needs a bubble of its own.
//
// The system has two workers and a silent logger (zerolog.Nop); opts
// apply in order after these defaults. Cost: one system per call, whose
// two worker goroutines park when idle.
func InBubble(t *testing.T, f func(t *testing.T, sys *reactor.System), opts ...reactor.Option) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		t.Helper()
		sys := reactor.New(append([]reactor.Option{reactor.WithWorkers(2), reactor.WithLogger(zerolog.Nop())}, opts...)...)
		defer func() {
			if err := sys.Shutdown(context.Background()); err != nil {
				t.Errorf("reactortest: shutdown at the end of the bubble: %v", err)
			}
		}()
		f(t, sys)
		synctest.Wait()
		if n := sys.DeadLetterCount(); n != 0 {
			t.Errorf("reactortest: dead letters in the bubble: %d", n)
		}
	})
}
