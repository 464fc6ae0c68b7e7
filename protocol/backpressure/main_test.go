package backpressure_test

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The tests of time run in synctest bubbles (reactortest.InBubble): time
// is virtual and moves only when every goroutine of the bubble is
// blocked, so the times they check are exact and synctest.Wait proves
// that nothing more is on its way.
