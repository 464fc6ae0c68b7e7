package reactor_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// schedulers are the schedulers a reactor can run on.
var schedulers = map[string]reactor.Scheduler{"pool": reactor.SharedPool, "dedicated": reactor.Dedicated}

// TestSendAndYieldNeverRunsTheTurn: a caller that sends to an idle
// reactor with SendAndYield never runs the turn itself, so it returns
// while a handler that does not end still runs, on the pool and on a
// dedicated goroutine.
func TestSendAndYieldNeverRunsTheTurn(t *testing.T) {
	for name, sched := range schedulers {
		t.Run(name, func(t *testing.T) {
			sys, rec := newSys(t)
			entered := make(chan int, 1)
			gate := make(chan struct{})
			ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
				r.Main().Events().OnEvent(func(v int) {
					entered <- v
					<-gate
				})
			}, reactor.WithScheduler(sched))
			require.NoError(t, err)
			sent := make(chan error, 1)
			go func() { sent <- ch.SendAndYield(context.Background(), 1) }()
			require.NoError(t, reactortest.Receive(t, sent), "SendAndYield waited for the handler")
			require.Equal(t, 1, reactortest.Receive(t, entered))
			close(gate)
			require.Empty(t, rec.failed)
		})
	}
}

// TestSendAndYieldLetsTheTurnRunFirst: with one processor, the worker
// that SendAndYield wakes runs before the caller resumes, so the turn of
// a short handler is over when SendAndYield returns (but for the odd
// time the Go scheduler looks at its global queue first).
func TestSendAndYieldLetsTheTurnRunFirst(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for name, sched := range schedulers {
		t.Run(name, func(t *testing.T) {
			sys, rec := newSys(t)
			out := make(chan int, 1)
			ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
				r.Main().Events().OnEvent(func(v int) { out <- 2 * v })
			}, reactor.WithScheduler(sched))
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			over := answeredOnReturn(t, 100, out, func(v int) error { return ch.SendAndYield(ctx, v) })
			require.GreaterOrEqual(t, over, 80)
			require.Empty(t, rec.failed)
		})
	}
}

// senderMethods is a Sender that records which of its methods a
// forwarding channel called.
type senderMethods struct {
	calls chan string
}

func (s *senderMethods) Send(int) error { s.calls <- "Send"; return nil }
func (s *senderMethods) Name() string   { return "methods" }
func (s *senderMethods) Offer(context.Context, int) error {
	s.calls <- "Offer"
	return nil
}

type yieldingSender struct{ senderMethods }

func (s *yieldingSender) SendAndYield(context.Context, int) error {
	s.calls <- "SendAndYield"
	return nil
}

// TestSendAndYieldThroughForwarding: a forwarding channel passes
// SendAndYield to its Sender's SendAndYield, or to its Offer when it has
// none; errors and the zero Channel are Offer's.
func TestSendAndYieldThroughForwarding(t *testing.T) {
	plain := &senderMethods{calls: make(chan string, 1)}
	require.NoError(t, reactor.ChannelOf[int](plain).SendAndYield(context.Background(), 1))
	require.Equal(t, "Offer", <-plain.calls)

	y := &yieldingSender{senderMethods{calls: make(chan string, 1)}}
	require.NoError(t, reactor.ChannelOf[int](y).SendAndYield(context.Background(), 1))
	require.Equal(t, "SendAndYield", <-y.calls)

	var zero reactor.Channel[int]
	require.ErrorIs(t, zero.SendAndYield(context.Background(), 1), reactor.ErrNilChannel)

	sys, _ := newSys(t)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) { r.Main().Seal() })
	require.NoError(t, err)
	reactortest.WaitClosed(t, ch.Done())
	require.ErrorIs(t, ch.SendAndYield(context.Background(), 1), reactor.ErrTerminated)
}
