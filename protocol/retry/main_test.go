package retry_test

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/reactors-go/reactors/reactortest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The tests of time run in synctest bubbles (reactortest.InBubble) and
// record the stream under test with a reactortest.Stream: time is
// virtual, so the times they check are exact, Quiet proves that nothing
// more is on its way, and a stream that waits for a timer that never
// fires deadlocks the bubble, which fails the test.

// ev, done and errAt are the reactions of the int streams under test.
func ev(at time.Duration, v int) reactortest.Reaction[int] { return reactortest.EventAt(at, v) }
func done(at time.Duration) reactortest.Reaction[int]      { return reactortest.DoneAt[int](at) }
func errAt(at time.Duration) reactortest.Reaction[int]     { return reactortest.ErrorAt[int](at) }

// seq returns a random source that yields rs in turn.
func seq(rs ...float64) func() float64 {
	i := 0
	return func() float64 {
		r := rs[i]
		i++
		return r
	}
}
