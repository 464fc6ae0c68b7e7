package remote_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
)

// wait bounds every wait of a test.
const wait = 10 * time.Second

// newSystem returns a quiet system whose dead letters arrive on the
// returned channel; it is shut down when the test ends.
func newSystem(t *testing.T) (*reactor.System, <-chan reactor.DeadLetter) {
	t.Helper()
	dead := make(chan reactor.DeadLetter, 1024)
	sys := reactor.New(reactor.WithLogger(zerolog.Nop()), reactor.WithDeadLetterHandler(func(d reactor.DeadLetter) {
		select {
		case dead <- d:
		default:
		}
	}))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		require.NoError(t, sys.Shutdown(ctx))
	})
	return sys, dead
}

// startNode starts a node of sys that is closed when the test ends (if the
// test did not close it).
func startNode(t *testing.T, sys *reactor.System, opts ...remote.Option) *remote.Node {
	t.Helper()
	n, err := remote.Start(t.Context(), sys, opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := n.Close(ctx); err != nil {
			require.ErrorIs(t, err, remote.ErrClosed)
		}
	})
	return n
}

// collect spawns a reactor of sys that forwards every event to the
// returned Go channel (capacity size).
func collect[T any](t *testing.T, sys *reactor.System, size int) (reactor.Channel[T], <-chan T) {
	t.Helper()
	out := make(chan T, size)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[T]) {
		r.Main().Events().OnEvent(func(v T) { out <- v })
	})
	require.NoError(t, err)
	return ch, out
}

// receive returns the next value of ch, failing the test after wait.
func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatal("timed out waiting for a value")
		panic("unreachable")
	}
}

// tcpServer starts a NATS server listening on 127.0.0.1 on a random port,
// configured further by edit; it is shut down when the test ends.
func tcpServer(t *testing.T, edit func(*natsserver.Options)) *natsserver.Server {
	t.Helper()
	o := &natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true}
	if edit != nil {
		edit(o)
	}
	s, err := natsserver.NewServer(o)
	require.NoError(t, err)
	s.Start()
	require.True(t, s.ReadyForConnections(wait))
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return s
}

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
