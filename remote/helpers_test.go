package remote_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// wait bounds every wait of a test.
const wait = reactortest.Patience

// seqEvent is event Seq of sender From.
type seqEvent struct{ From, Seq int }

// fifoChecker spawns a reactor of sys that checks that every sender's
// events arrive in the order sent; done gets nil once total events came,
// or the first event out of order.
func fifoChecker(t *testing.T, sys *reactor.System, total int) (reactor.Channel[seqEvent], <-chan error) {
	t.Helper()
	done := make(chan error, 1)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[seqEvent]) {
		next, n := map[int]int{}, 0
		r.Main().Events().OnEvent(func(e seqEvent) {
			if e.Seq != next[e.From] {
				done <- fmt.Errorf("sender %d: got %d, want %d", e.From, e.Seq, next[e.From])
				return
			}
			next[e.From]++
			if n++; n == total {
				done <- nil
			}
		})
	})
	require.NoError(t, err)
	return ch, done
}

// sendSeq sends events 0 to per-1 of sender from on ch, on a goroutine of
// wg.
func sendSeq(t *testing.T, wg *sync.WaitGroup, ch reactor.Channel[seqEvent], from, per int) {
	wg.Go(func() {
		for i := range per {
			if err := ch.Send(seqEvent{from, i}); err != nil {
				t.Error(err)
				return
			}
		}
	})
}
