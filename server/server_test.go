package server_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/server"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newSys returns a system shut down at the end of the test, and the dead
// letters it reports.
func newSys(t *testing.T) (*reactor.System, *letters) {
	t.Helper()
	l := &letters{}
	sys := reactortest.NewSystem(t, reactor.WithDeadLetterHandler(l.add),
		reactor.WithFailureHandler(func(reactor.Failure) {}))
	return sys, l
}

type letters struct {
	mu   sync.Mutex
	list []reactor.DeadLetter
}

func (l *letters) add(d reactor.DeadLetter) {
	l.mu.Lock()
	l.list = append(l.list, d)
	l.mu.Unlock()
}

func (l *letters) count(r reactor.Reason) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, d := range l.list {
		if d.Reason == r {
			n++
		}
	}
	return n
}

func double(q int) (int, error) { return 2 * q, nil }

func TestAskForms(t *testing.T) {
	sys, _ := newSys(t)
	ctx := context.Background()

	spawned, err := server.Spawn(sys, double)
	require.NoError(t, err)
	viaBody, err := reactor.Spawn(sys, server.Body(double), reactor.WithName("doubler"))
	require.NoError(t, err)
	opened := make(chan server.Server[int, int], 1)
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		s, err := server.Open(r, double, reactor.Named("double"))
		if err != nil {
			panic(err)
		}
		opened <- s
	})
	require.NoError(t, err)
	for name, srv := range map[string]server.Server[int, int]{"Spawn": spawned, "Body": viaBody, "Open": <-opened} {
		for q := range 5 {
			got, err := server.Ask(ctx, srv, q)
			require.NoError(t, err, name)
			require.Equal(t, 2*q, got, name)
		}
	}
}

func TestAskErrorsFromServer(t *testing.T) {
	sys, _ := newSys(t)
	bad := errors.New("odd")
	srv, err := server.Spawn(sys, func(q int) (int, error) {
		switch {
		case q < 0:
			panic("negative")
		case q%2 == 1:
			return 0, bad
		}
		return q, nil
	})
	require.NoError(t, err)
	ctx := context.Background()
	_, err = server.Ask(ctx, srv, 3)
	require.ErrorIs(t, err, bad)
	v, err := server.Ask(ctx, srv, 4)
	require.NoError(t, err)
	require.Equal(t, 4, v)

	// A panic answers the request, then fails the server's reactor.
	_, err = server.Ask(ctx, srv, -1)
	require.ErrorIs(t, err, server.ErrServerFailed)
	<-srv.Done()
	for range 3 { // the reply slot is reused: the server's end leaves nothing in it
		_, err = server.Ask(ctx, srv, 2)
		require.ErrorIs(t, err, reactor.ErrTerminated)
	}
	live, err := server.Spawn(sys, double)
	require.NoError(t, err)
	for q := range 3 {
		v, err := server.Ask(ctx, live, q)
		require.NoError(t, err)
		require.Equal(t, 2*q, v)
	}
}

// pending is a server that holds requests until told to answer them.
type pending struct {
	srv     server.Server[int, int]
	release reactor.Channel[int] // answers the n oldest held requests
	held    chan int             // each request's value, when it arrives
}

func newPending(t *testing.T, sys *reactor.System) pending {
	held := make(chan int, 1000)
	rel := make(chan reactor.Channel[int], 1)
	srv, err := reactor.Spawn(sys, func(r *reactor.Reactor[server.Request[int, int]]) {
		var queue []server.Request[int, int]
		c, err := reactor.Open[int](r)
		if err != nil {
			panic(err)
		}
		rel <- c.Channel()
		r.Main().Events().OnEvent(func(req server.Request[int, int]) {
			queue = append(queue, req)
			held <- req.Value
		})
		c.Events().OnEvent(func(n int) {
			for ; n > 0 && len(queue) > 0; n-- {
				_ = queue[0].Respond(10 * queue[0].Value)
				queue = queue[1:]
			}
			if n < 0 {
				r.Main().Seal()
				c.Seal()
			}
		})
	})
	require.NoError(t, err)
	return pending{srv: srv, release: <-rel, held: held}
}

// TestAskDeadlineAndLateReply: an ask that times out returns the
// deadline error; its reply, sent later, is dead-lettered as expired and
// never reaches the next ask, which reuses the pooled reply slot.
func TestAskDeadlineAndLateReply(t *testing.T) {
	sys, dead := newSys(t)
	p := newPending(t, sys)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := server.Ask(ctx, p.srv, 1)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Equal(t, 1, <-p.held)

	done := make(chan struct{})
	var got int
	var askErr error
	go func() {
		defer close(done)
		got, askErr = server.Ask(context.Background(), p.srv, 2)
	}()
	require.Equal(t, 2, <-p.held)
	require.NoError(t, p.release.Send(1)) // answers the timed-out ask: late
	require.NoError(t, p.release.Send(1)) // answers the second ask
	<-done
	require.NoError(t, askErr)
	require.Equal(t, 20, got, "the late reply (10) must not be delivered to the next ask")
	require.Equal(t, 1, dead.count(reactor.ReasonExpired))
}

func TestAskCancel(t *testing.T) {
	sys, _ := newSys(t)
	p := newPending(t, sys)
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("caller gave up")
	go func() {
		<-p.held
		cancel(cause)
	}()
	_, err := server.Ask(ctx, p.srv, 1)
	require.ErrorIs(t, err, cause)

	// An ask with an already cancelled context still refuses at once.
	_, err = server.Ask(ctx, p.srv, 2)
	require.ErrorIs(t, err, cause)
}

// TestAskServerTerminates: a server that ends while holding requests
// releases its askers with ErrServerTerminated, from goroutines and
// reactors.
func TestAskServerTerminates(t *testing.T) {
	sys, _ := newSys(t)
	p := newPending(t, sys)
	errs := make(chan error, 2)
	go func() {
		_, err := server.Ask(context.Background(), p.srv, 1)
		errs <- err
	}()
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		server.AskIn(r, p.srv, 2).Events().OnError(func(err error) { errs <- err })
	})
	require.NoError(t, err)
	<-p.held
	<-p.held
	require.NoError(t, p.release.Send(-1)) // the server ends without answering
	require.ErrorIs(t, <-errs, server.ErrServerTerminated)
	require.ErrorIs(t, <-errs, server.ErrServerTerminated)
}

func TestAskIn(t *testing.T) {
	sys, _ := newSys(t)
	srv, err := server.Spawn(sys, func(q int) (int, error) {
		if q == 0 {
			return 0, errors.New("zero")
		}
		return q + 1, nil
	})
	require.NoError(t, err)
	out := make(chan string, 3)
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		for _, q := range []int{1, 0} {
			server.AskIn(r, srv, q).Subscribe(&events.Funcs[int]{
				Event: func(v int) { out <- fmt.Sprint("value ", v) },
				Error: func(err error) { out <- "error " + err.Error() },
			})
		}
		server.AskIn(r, server.Server[int, int]{}, 1).Events().OnError(func(err error) {
			out <- fmt.Sprint("nil server: ", errors.Is(err, reactor.ErrNilChannel))
		})
	})
	require.NoError(t, err)
	got := []string{<-out, <-out, <-out}
	require.ElementsMatch(t, []string{"value 2", "error zero", "nil server: true"}, got)
}

func TestTell(t *testing.T) {
	sys, dead := newSys(t)
	seen := make(chan bool, 1)
	srv, err := reactor.Spawn(sys, func(r *reactor.Reactor[server.Request[int, int]]) {
		r.Main().Events().OnEvent(func(req server.Request[int, int]) {
			seen <- req.OneWay() && req.Respond(1) == nil && req.Fail(errors.New("x")) == nil
		})
	})
	require.NoError(t, err)
	require.NoError(t, server.Tell(srv, 5))
	require.True(t, <-seen)
	require.Zero(t, dead.count(reactor.ReasonExpired))
}

// TestServeAsync: the server replies later, after asking a second server
// itself; a stream that ends without a value answers ErrNoReply.
func TestServeAsync(t *testing.T) {
	sys, _ := newSys(t)
	backend, err := server.Spawn(sys, double)
	require.NoError(t, err)
	front, err := reactor.Spawn(sys, func(r *reactor.Reactor[server.Request[int, int]]) {
		server.ServeAsync(r.Main(), func(q int) events.Events[int] {
			if q < 0 {
				var none events.Emitter[int]
				none.Close() // completes without a value
				return none.Events()
			}
			return server.AskIn(r, backend, q).Events()
		})
	})
	require.NoError(t, err)
	v, err := server.Ask(context.Background(), front, 21)
	require.NoError(t, err)
	require.Equal(t, 42, v)
	_, err = server.Ask(context.Background(), front, -1)
	require.ErrorIs(t, err, server.ErrNoReply)
}

// TestAskStress: concurrent asks with random deadlines against a server
// that answers slowly. Every ask gets its own reply or its deadline error;
// every reply that found no asker is counted as expired.
func TestAskStress(t *testing.T) {
	sys, dead := newSys(t)
	var answered atomic.Int64
	srv, err := server.Spawn(sys, func(q int) (int, error) {
		answered.Add(1)
		if q%7 == 0 {
			spin(20000) // slow some answers down
		}
		return -q, nil
	})
	require.NoError(t, err)
	const clients, each = 8, 300
	var ok, timedOut atomic.Int64
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 1))
			for i := range each {
				q := c*each + i + 1
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rng.IntN(200))*time.Microsecond)
				v, err := server.Ask(ctx, srv, q)
				cancel()
				switch {
				case err == nil:
					if v != -q {
						t.Errorf("ask %d got %d", q, v)
					}
					ok.Add(1)
				case errors.Is(err, context.DeadlineExceeded):
					timedOut.Add(1)
				default:
					t.Errorf("ask %d: %v", q, err)
				}
			}
		})
	}
	wg.Wait()
	require.Equal(t, int64(clients*each), ok.Load()+timedOut.Load())
	// Every request the clients sent was queued before this one, so when
	// it is answered every earlier reply has been accepted or refused.
	_, err = server.Ask(context.Background(), srv, 1)
	require.NoError(t, err)
	// A timed-out ask either never sent its request or had its reply
	// refused: expired letters never exceed the timed-out asks.
	sent := answered.Load() - 1
	require.LessOrEqual(t, sent, int64(clients*each))
	require.Equal(t, sent-ok.Load(), int64(dead.count(reactor.ReasonExpired)), "every sent ask that timed out left one expired reply")
	t.Logf("ok %d, timed out %d, expired replies %d", ok.Load(), timedOut.Load(), dead.count(reactor.ReasonExpired))
}

var sink atomic.Uint64

// spin burns CPU for about n iterations.
func spin(n int) {
	x := uint64(1)
	for i := range n {
		x = x*6364136223846793005 + uint64(i)
	}
	sink.Store(x)
}

func TestAskAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	sys, _ := newSys(t)
	srv, err := server.Spawn(sys, double)
	require.NoError(t, err)
	ctx := context.Background()
	_, _ = server.Ask(ctx, srv, 1) // warm the pool and the server's Done channel
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := server.Ask(ctx, srv, 2); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("allocs per sequential ask: %.2f", allocs)
	require.Zero(t, allocs)
}
