package backpressure_test

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/reactors-go/reactors/reactor"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The tests of time run in synctest bubbles: time is virtual and moves only
// when every goroutine of the bubble is blocked, so the times they check
// are exact and synctest.Wait proves that nothing more is on its way.

// inBubble runs f in a synctest bubble with a system of its own, shut down
// inside the bubble, and checks that no timer left a dead letter.
func inBubble(t *testing.T, f func(t *testing.T, sys *reactor.System)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		sys := reactor.New(reactor.WithWorkers(2), reactor.WithLogger(zerolog.Nop()))
		f(t, sys)
		synctest.Wait()
		require.Zero(t, sys.DeadLetterCount(), "dead letters")
		require.NoError(t, sys.Shutdown(context.Background()))
	})
}
