package server_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/server"
)

// askLog records what the Ask and AskExpired hooks are told. The hooks
// run on the asking goroutine before Ask returns.
type askLog struct {
	mu      sync.Mutex
	asks    []time.Duration
	expired int
}

func (l *askLog) hooks() reactor.Hooks {
	return reactor.Hooks{
		Ask: func(d time.Duration) {
			l.mu.Lock()
			l.asks = append(l.asks, d)
			l.mu.Unlock()
		},
		AskExpired: func() {
			l.mu.Lock()
			l.expired++
			l.mu.Unlock()
		},
	}
}

func (l *askLog) counts() (asks, expired int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.asks), l.expired
}

// forward is a Sender with no reactor of its own in front of a server.
type forward struct{ to server.Server[int, int] }

func (f forward) Send(r server.Request[int, int]) error { return f.to.Send(r) }
func (f forward) Name() string                          { return "forward" }

// forwardIn is forward for a Sender that names its system, as a router
// does.
type forwardIn struct {
	forward
	sys *reactor.System
}

func (f forwardIn) System() *reactor.System { return f.sys }

// TestAskReportsToTheSystemHooks asks in every way that ends an ask and
// checks what the hooks of the server's system hear, every ask sampled.
func TestAskReportsToTheSystemHooks(t *testing.T) {
	sys := reactortest.NewSystem(t, reactor.WithHookSample(1),
		reactor.WithDeadLetterHandler(func(reactor.DeadLetter) {}))
	var log askLog
	sys.AddHooks(log.hooks())
	srv, err := server.Spawn(sys, double)
	require.NoError(t, err)

	// A reply, on the caller's goroutine and through a worker.
	v, err := server.Ask(context.Background(), srv, 1)
	require.NoError(t, err)
	require.Equal(t, 2, v)
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	_, err = server.Ask(ctx, srv, 2)
	require.NoError(t, err)
	asks, expired := log.counts()
	require.Equal(t, 2, asks)
	require.Zero(t, expired)

	// An ask whose context ends while the server holds it.
	p := newPending(t, sys)
	actx, acancel := context.WithCancelCause(context.Background())
	cause := errors.New("gave up")
	go func() {
		<-p.held
		acancel(cause)
	}()
	_, err = server.Ask(actx, p.srv, 3)
	require.ErrorIs(t, err, cause)
	asks, expired = log.counts()
	require.Equal(t, 3, asks)
	require.Equal(t, 1, expired)

	// A context already ended sends nothing: no ask to report.
	_, err = server.Ask(actx, p.srv, 4)
	require.ErrorIs(t, err, cause)
	asks, _ = log.counts()
	require.Equal(t, 3, asks)

	// A refused ask is reported, not as expired.
	require.NoError(t, p.release.Send(-1))
	reactortest.WaitClosed(t, p.srv.Done())
	_, err = server.Ask(context.Background(), p.srv, 5)
	require.ErrorIs(t, err, server.ErrServerTerminated)
	asks, expired = log.counts()
	require.Equal(t, 4, asks)
	require.Equal(t, 1, expired)

	// Through a channel with no reactor of its own, the ask has no
	// system to report to.
	_, err = server.Ask(context.Background(), reactor.ChannelOf[server.Request[int, int]](forward{srv}), 6)
	require.NoError(t, err)
	asks, _ = log.counts()
	require.Equal(t, 4, asks)

	// Through one whose Sender names its system (a router's), it has.
	_, err = server.Ask(context.Background(), reactor.ChannelOf[server.Request[int, int]](forwardIn{forward{srv}, sys}), 7)
	require.NoError(t, err)
	asks, _ = log.counts()
	require.Equal(t, 5, asks)

	log.mu.Lock()
	for _, d := range log.asks {
		require.GreaterOrEqual(t, d, time.Duration(0))
	}
	log.mu.Unlock()
}

// TestAskWithHooksAllocatesNothing: reporting an ask to the hooks adds no
// allocation to a sequential ask.
func TestAskWithHooksAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	sys := reactortest.NewSystem(t, reactor.WithHookSample(1))
	sys.AddHooks(reactor.Hooks{Ask: func(time.Duration) {}, AskExpired: func() {}})
	srv, err := server.Spawn(sys, double)
	require.NoError(t, err)
	ctx := context.Background()
	_, _ = server.Ask(ctx, srv, 1)
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := server.Ask(ctx, srv, 2); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
}
