package reactortest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// TestNewSystemShutsDownAtCleanup checks that a NewSystem system runs
// reactors during the test and is shut down when the test ends, which
// terminates its reactors.
func TestNewSystemShutsDownAtCleanup(t *testing.T) {
	var ch reactor.Channel[int]
	got := make(chan int, 1)
	t.Run("inner", func(t *testing.T) {
		sys := reactortest.NewSystem(t)
		var err error
		ch, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			r.Main().Events().OnEvent(func(v int) { got <- v })
		})
		require.NoError(t, err)
		require.NoError(t, ch.Send(7))
		require.Equal(t, 7, reactortest.Receive(t, got))
	})
	reactortest.WaitClosed(t, ch.Done())
	require.ErrorIs(t, ch.Send(8), reactor.ErrTerminated)
}

// TestWaitClosedSkipsValues checks that WaitClosed waits for the close,
// not for a value.
func TestWaitClosedSkipsValues(t *testing.T) {
	ch := make(chan int, 2)
	ch <- 1
	ch <- 2
	close(ch)
	reactortest.WaitClosed(t, ch)
}
