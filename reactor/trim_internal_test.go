package reactor

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

// TestBusyReactorReleasesMailboxOnceIdle: a reactor that a sender keeps
// busy keeps its mailbox's segments from turn to turn (turnOf does not
// trim while a sender has notified it), and releases them once it goes
// idle, so that an idle reactor pins no queue memory however busy it
// was. Checked on the pool and on a dedicated goroutine.
func TestBusyReactorReleasesMailboxOnceIdle(t *testing.T) {
	for _, sc := range []struct {
		name string
		opts []SpawnOption
	}{{"pool", nil}, {"dedicated", []SpawnOption{WithScheduler(Dedicated)}}} {
		t.Run(sc.name, func(t *testing.T) {
			sys := New(WithLogger(zerolog.Nop()))
			defer sys.Shutdown(context.Background())
			const n = 10_000
			gate := make(chan struct{})
			handled := make(chan int, 1)
			ch, err := Spawn(sys, func(r *Reactor[int]) {
				count := 0
				r.Main().Events().OnEvent(func(v int) {
					if v == 0 {
						<-gate // the sender fills the queue meanwhile
					}
					if count++; count == n {
						handled <- count
					}
				})
			}, sc.opts...)
			require.NoError(t, err)
			require.NoError(t, ch.Send(0))
			for i := 1; i < n; i++ {
				require.NoError(t, ch.Send(i))
			}
			require.True(t, ch.c.q.Holds(), "the queued events sit in segments")
			close(gate)
			require.Equal(t, n, <-handled)

			// The turn that handled the last event ends, and the reactor
			// goes idle: wait for that (it takes no events, so nothing
			// else can schedule it), then look at its mailbox.
			end := time.Now().Add(time.Minute)
			for ch.c.f.state.Load() != stIdle {
				require.True(t, time.Now().Before(end), "the reactor never went idle")
				runtime.Gosched()
			}
			require.False(t, ch.c.q.Holds(), "an idle reactor pins no segment")
		})
	}
}
