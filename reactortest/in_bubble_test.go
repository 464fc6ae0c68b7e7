package reactortest_test

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// TestInBubbleRunsOnVirtualTime checks that the system's timers run on
// the bubble's virtual time (exact) and that the options apply.
func TestInBubbleRunsOnVirtualTime(t *testing.T) {
	failures := make(chan reactor.Failure, 1)
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		start := time.Now()
		fired := make(chan time.Duration, 1)
		_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			reactor.After(r, 3*time.Hour).OnEvent(func(struct{}) {
				fired <- time.Since(start)
				panic("told to the failure handler of the options")
			})
		})
		require.NoError(t, err)
		require.Equal(t, 3*time.Hour, <-fired)
	}, reactor.WithFailureHandler(func(f reactor.Failure) { failures <- f }))
	require.Len(t, failures, 1)
	var pe *reactor.PanicError
	require.ErrorAs(t, (<-failures).Err, &pe)
	require.Equal(t, "told to the failure handler of the options", pe.Value)
}

// TestInBubbleShutsTheSystemDown checks that the system is shut down when
// InBubble returns.
func TestInBubbleShutsTheSystemDown(t *testing.T) {
	var sys *reactor.System
	reactortest.InBubble(t, func(_ *testing.T, s *reactor.System) { sys = s })
	_, err := reactor.Spawn(sys, func(*reactor.Reactor[int]) {})
	require.ErrorIs(t, err, reactor.ErrClosed)
}

// envDeadLetter makes TestInBubbleFailsOnDeadLetters run its failing
// bubble, in a test process of its own.
const envDeadLetter = "REACTORTEST_BUBBLE_DEAD_LETTER"

// TestInBubbleFailsOnDeadLetters checks that a dead letter left in the
// bubble fails the test. The failing test runs in a child process, since
// a failed test cannot be passed.
func TestInBubbleFailsOnDeadLetters(t *testing.T) {
	if os.Getenv(envDeadLetter) == "1" {
		reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
			ch, err := reactor.Spawn(sys, func(*reactor.Reactor[int]) {}) // nobody handles main
			require.NoError(t, err)
			require.NoError(t, ch.Send(1))
		})
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestInBubbleFailsOnDeadLetters$", "-test.count=1")
	cmd.Env = append(os.Environ(), envDeadLetter+"=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the child passed:\n%s", out)
	require.Contains(t, string(out), "reactortest: dead letters in the bubble: 1")
	require.Contains(t, string(out), "--- FAIL: TestInBubbleFailsOnDeadLetters")
}
