package reactor_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
)

// TestSendDoesNotAllocate checks the documented cost of Send: no
// allocation on the hand-off path, and only the amortized queue segments
// when events pile up.
func TestSendDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	sys, _ := newSys(t, reactor.WithWorkers(1))
	done := make(chan struct{}, 1)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) {
			if v < 0 {
				done <- struct{}{}
			}
		})
	})
	require.NoError(t, err)
	// One event to an idle reactor takes the hand-off path.
	allocs := testing.AllocsPerRun(1000, func() {
		_ = ch.Send(-1)
		<-done
	})
	require.Zero(t, allocs, "hand-off path")
	// Events that pile up share queue segments (up to 128 slots each).
	const burst = 1000
	allocs = testing.AllocsPerRun(20, func() {
		for i := range burst {
			_ = ch.Send(i)
		}
		_ = ch.Send(-1)
		<-done
	})
	require.Less(t, allocs/burst, 0.05, "queued path, per event")
}

// TestSpawnCost checks that spawning allocates the reactor and nothing per
// reactor beyond the body's own closure.
func TestSpawnCost(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	sys, _ := newSys(t)
	body := func(r *reactor.Reactor[int64]) {}
	allocs := testing.AllocsPerRun(1000, func() {
		_, _ = reactor.Spawn(sys, body)
	})
	require.LessOrEqual(t, allocs, 1.0)
}
