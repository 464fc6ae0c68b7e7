package reactor_test

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// TestChannelLen: events queued behind a busy reactor are counted; once a
// turn has taken them and the reactor has gone idle, they are not.
func TestChannelLen(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []reactor.SpawnOption
	}{
		{"unbounded", nil},
		{"bounded", []reactor.SpawnOption{reactor.WithMain(reactor.Bounded(64, reactor.Fail))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys, _ := newSys(t)
			gate := make(chan struct{})
			seen := make(chan int, 20)
			idle := make(chan struct{}, 20)
			ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
				<-gate // a test-only stall: holds one worker while events queue up
				self := r.Main().Channel()
				r.Main().Events().OnEvent(func(int) { seen <- self.Len() })
				r.Lifecycle().OnEvent(func(l reactor.Lifecycle) {
					if l.Phase == reactor.Preempted {
						idle <- struct{}{}
					}
				})
			}, tc.opts...)
			require.NoError(t, err)
			for i := range 10 {
				require.NoError(t, ch.Send(i))
			}
			require.Equal(t, 10, ch.Len())
			close(gate)
			for range 10 {
				// The events of the current turn still count while it runs.
				require.LessOrEqual(t, reactortest.Receive(t, seen), 10)
			}
			reactortest.Receive(t, idle) // the turn has ended
			// The reactor goes idle just after its Preempted event: a send
			// before that would be queued behind the ending turn.
			for !ch.RunIfIdle(func() {}) {
				runtime.Gosched()
			}
			require.Equal(t, 0, ch.Len())
			require.NoError(t, ch.Send(10))
			require.Equal(t, 0, reactortest.Receive(t, seen), "an event taken by an idle reactor is not queued")
		})
	}
	require.Zero(t, reactor.Channel[int]{}.Len())
}
