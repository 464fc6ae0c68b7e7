package server_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/router"
	"github.com/reactors-go/reactors/server"
)

// held is a server whose handler reports each request on entered and
// then waits for its gate, so that a test holds the server inside a
// handler for as long as it likes.
type held struct {
	srv     server.Server[int, int]
	entered chan int
	gate    chan struct{}
}

func spawnHeld(t *testing.T, sys *reactor.System, opts ...reactor.SpawnOption) *held {
	t.Helper()
	h := &held{entered: make(chan int, 100), gate: make(chan struct{})}
	srv, err := server.Spawn(sys, func(q int) (int, error) {
		if q == 0 {
			return 0, nil // a warm-up request: answered at once
		}
		h.entered <- q
		<-h.gate
		return q * 10, nil
	}, opts...)
	require.NoError(t, err)
	h.srv = srv
	return h
}

type result struct {
	v   int
	err error
}

func askAsync(ctx context.Context, srv server.Server[int, int], q int) <-chan result {
	out := make(chan result, 1)
	go func() {
		v, err := server.Ask(ctx, srv, q)
		out <- result{v, err}
	}()
	return out
}

// askContexts are the two kinds of context an ask takes a different
// path for: one that never ends (the asker may run an idle server's
// handler itself) and one that can (the asker yields to the worker it
// wakes, and waits alongside the context).
func askContexts(t *testing.T) map[string]context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	t.Cleanup(cancel)
	return map[string]context.Context{"never ends": context.Background(), "can end": ctx}
}

// viaRouter returns a router's channel in front of srv alone.
func viaRouter(t *testing.T, sys *reactor.System, srv server.Server[int, int]) server.Server[int, int] {
	t.Helper()
	rt := router.New(sys, "front", router.RoundRobin[server.Request[int, int]]())
	require.NoError(t, rt.Add(srv))
	return rt.Channel()
}

// TestAskHonoursDeadlineOnIdleServer checks that an ask whose context can
// end returns when it ends, even when the server was idle (so that the
// caller could have run the handler itself) and its handler does not
// return: on the pool, on a dedicated goroutine, and through a router.
func TestAskHonoursDeadlineOnIdleServer(t *testing.T) {
	paths := []struct {
		name string
		opts []reactor.SpawnOption
		via  bool
	}{
		{"pool", nil, false},
		{"dedicated", []reactor.SpawnOption{reactor.WithScheduler(reactor.Dedicated)}, false},
		{"router", nil, true},
	}
	for _, p := range paths {
		for _, ending := range []string{"deadline", "cancel"} {
			t.Run(p.name+"/"+ending, func(t *testing.T) {
				sys, _ := newSys(t)
				h := spawnHeld(t, sys, p.opts...)
				srv := h.srv
				if p.via {
					srv = viaRouter(t, sys, h.srv)
				}
				var ctx context.Context
				var cancel context.CancelFunc
				if ending == "deadline" {
					ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
				} else {
					ctx, cancel = context.WithCancel(context.Background())
				}
				defer cancel()
				got := askAsync(ctx, srv, 1)
				require.Equal(t, 1, reactortest.Receive(t, h.entered))
				cancel() // no-op for the deadline: it passes by itself
				r := reactortest.Receive(t, got)
				require.ErrorIs(t, r.err, context.Canceled, "Ask returned while the handler still runs")
				close(h.gate)
			})
		}
	}
}

// TestAskRunsOnlyItsOwnRequest checks that a caller that runs an idle
// server's handler itself (a context that cannot end) returns with its
// own reply and never goes on to serve requests queued behind it.
func TestAskRunsOnlyItsOwnRequest(t *testing.T) {
	sys, _ := newSys(t)
	gate := make(chan struct{})
	var srv server.Server[int, int]
	var others <-chan result
	srv, err := server.Spawn(sys, func(q int) (int, error) {
		if q == 1 {
			// The first request: another client's request queues up
			// behind it while this handler runs.
			others = askAsync(context.Background(), srv, 2)
			for srv.Len() == 0 {
				runtime.Gosched()
			}
			return 10, nil
		}
		<-gate // the other client's handler: runs elsewhere, later
		return q * 10, nil
	})
	require.NoError(t, err)
	mine := askAsync(context.Background(), srv, 1)
	r := reactortest.Receive(t, mine)
	require.NoError(t, r.err)
	require.Equal(t, 10, r.v)
	close(gate)
	r = reactortest.Receive(t, others)
	require.NoError(t, r.err)
	require.Equal(t, 20, r.v)
}

// forwarders are the ways a request can reach a server through another
// channel: a router's channel, a router reactor, a path, a kind, and a
// plain forwarding channel.
func forwarders(t *testing.T, sys *reactor.System, srv server.Server[int, int]) map[string]server.Server[int, int] {
	t.Helper()
	type req = server.Request[int, int]
	out := map[string]server.Server[int, int]{}

	rt := router.New(sys, "rt", router.RoundRobin[req]())
	require.NoError(t, rt.Add(srv))
	out["router channel"] = rt.Channel()

	rt2 := router.New(sys, "rt2", router.Hash[req](func(r req) uint64 { return uint64(r.Value) }))
	require.NoError(t, rt2.Add(srv))
	hop, err := router.Spawn(sys, rt2)
	require.NoError(t, err)
	out["router reactor"] = hop

	paths := router.NewPaths[req](sys)
	require.NoError(t, paths.Register("jobs/w", srv))
	pc, err := paths.Channel("jobs/w")
	require.NoError(t, err)
	out["path"] = pc

	kinds := router.NewKinds(sys)
	kind := router.Kind[req]{Name: "job", Version: 1}
	require.NoError(t, router.Handle(kinds, kind, srv))
	kc, err := router.KindChannel(kinds, kind)
	require.NoError(t, err)
	out["kind"] = kc

	out["ChannelOf"] = reactor.ChannelOf[req](srv)
	return out
}

// TestAskThroughForwardingLearnsServerDied checks that an ask sent
// through any chain of forwarding channels to a server that terminates
// with the request queued returns at once with an error matching
// ErrServerTerminated, even with a context that never ends (and at once
// with one that can end).
func TestAskThroughForwardingLearnsServerDied(t *testing.T) {
	sys, _ := newSys(t)
	for name := range forwarders(t, sys, spawnHeld(t, sys).srv) {
		for kind, askCtx := range askContexts(t) {
			t.Run(name+"/"+kind, func(t *testing.T) {
				// Two workers: the held handler takes one, and a router
				// reactor needs the other to pass on an ask whose
				// context can end (such an asker runs no turn itself).
				sys := reactortest.NewSystem(t, reactor.WithWorkers(2))
				h := spawnHeld(t, sys)
				via := forwarders(t, sys, h.srv)[name]
				// Once the server has answered a request and gone idle, the
				// next request is handed over without its queue, so that the
				// queue's length counts only the request behind it.
				_, err := server.Ask(context.Background(), h.srv, 0)
				require.NoError(t, err)
				for !h.srv.RunIfIdle(func() {}) {
					runtime.Gosched() // until the warm-up's turn has ended
				}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				first := askAsync(ctx, h.srv, 1)
				require.Equal(t, 1, reactortest.Receive(t, h.entered))
				require.Zero(t, h.srv.Len())
				queued := askAsync(askCtx, via, 2)
				for h.srv.Len() == 0 {
					runtime.Gosched()
				}
				require.NoError(t, h.srv.Stop())
				close(h.gate)
				r := reactortest.Receive(t, first)
				require.NoError(t, r.err)
				r = reactortest.Receive(t, queued)
				require.ErrorIs(t, r.err, server.ErrServerTerminated)
				require.ErrorIs(t, r.err, server.ErrUndelivered)
				var u *server.UndeliveredError
				require.True(t, errors.As(r.err, &u))
				require.Equal(t, reactor.ReasonStopped, u.Reason)
			})
		}
	}
}

// TestAskServerGoneIsOneError checks that "the server is gone" is one
// error, ErrServerTerminated, whether the server had terminated before
// the ask, terminated with the request queued, or terminated while the
// ask waited for a request it held.
func TestAskServerGoneIsOneError(t *testing.T) {
	sys, _ := newSys(t)
	ctx := context.Background()

	gone := spawnHeld(t, sys)
	require.NoError(t, gone.srv.Stop())
	<-gone.srv.Done()
	_, err := server.Ask(ctx, gone.srv, 1)
	require.ErrorIs(t, err, server.ErrServerTerminated)
	require.ErrorIs(t, err, reactor.ErrTerminated)

	// Held: an async server that never answers, stopped while it holds
	// the request: asked idle, so that an asker whose context can end
	// yields to the worker and then waits.
	for kind, askCtx := range askContexts(t) {
		took := make(chan struct{})
		never, err := reactor.Spawn(sys, func(r *reactor.Reactor[server.Request[int, int]]) {
			r.Main().Events().OnEvent(func(server.Request[int, int]) { close(took) })
		})
		require.NoError(t, err)
		got := askAsync(askCtx, never, 1)
		<-took
		require.NoError(t, never.Stop())
		require.ErrorIs(t, reactortest.Receive(t, got).err, server.ErrServerTerminated, kind)
	}
}

// TestRoutersStopPickingTerminatedTargets checks that once a target's
// reactor has terminated, no policy routes to it any more: every ask
// reaches a live worker.
func TestRoutersStopPickingTerminatedTargets(t *testing.T) {
	type req = server.Request[int, int]
	key := func(r req) uint64 { return uint64(r.Value) }
	policies := map[string]func() router.Policy[req]{
		"round-robin":    router.RoundRobin[req],
		"smallest-queue": router.SmallestQueue[req],
		"random":         func() router.Policy[req] { return router.Random[req](nil) },
		"hash":           func() router.Policy[req] { return router.Hash[req](key) },
		"consistent":     func() router.Policy[req] { return router.ConsistentHash[req](key, 16) },
		"weighted":       func() router.Policy[req] { return router.Weighted[req](func(uint64) int { return 1 }) },
		"deficit":        func() router.Policy[req] { return router.DeficitRoundRobin[req](4, func(req) int { return 1 }) },
	}
	for name, policy := range policies {
		t.Run(name, func(t *testing.T) {
			sys, _ := newSys(t)
			rt := router.New(sys, "workers", policy())
			var workers []server.Server[int, int]
			for i := range 4 {
				w, err := server.Spawn(sys, func(q int) (int, error) { return q + i, nil })
				require.NoError(t, err)
				workers = append(workers, w)
			}
			require.NoError(t, rt.Add(workers...))
			require.NoError(t, workers[2].Stop())
			<-workers[2].Done()
			require.Len(t, rt.Targets(), 3)
			for q := range 2000 {
				_, err := server.Ask(context.Background(), rt.Channel(), q)
				require.NoError(t, err, "ask %d", q)
			}
			// Adding a terminated target adds nothing.
			require.NoError(t, rt.Add(workers[2]))
			require.Len(t, rt.Targets(), 3)
		})
	}
}

// TestPathsAndKindsDropTerminatedChannels checks that a path and a kind
// stop routing to a channel whose reactor has terminated.
func TestPathsAndKindsDropTerminatedChannels(t *testing.T) {
	type req = server.Request[int, int]
	sys, _ := newSys(t)
	a, err := server.Spawn(sys, func(q int) (int, error) { return 1, nil })
	require.NoError(t, err)
	b, err := server.Spawn(sys, func(q int) (int, error) { return 2, nil })
	require.NoError(t, err)
	paths := router.NewPaths[req](sys)
	require.NoError(t, paths.Register("w/a", a))
	require.NoError(t, paths.Register("w/b", b))
	require.NoError(t, paths.SetPolicy("w", router.RoundRobin[req]()))
	group, err := paths.Channel("w/?")
	require.NoError(t, err)
	kinds := router.NewKinds(sys)
	kind := router.Kind[req]{Name: "k", Version: 1}
	require.NoError(t, router.Handle(kinds, kind, a))
	require.NoError(t, router.Handle(kinds, kind, b))
	kc, err := router.KindChannel(kinds, kind)
	require.NoError(t, err)

	require.NoError(t, a.Stop())
	<-a.Done()
	for range 100 {
		v, err := server.Ask(context.Background(), group, 0)
		require.NoError(t, err)
		require.Equal(t, 2, v)
		v, err = server.Ask(context.Background(), kc, 0)
		require.NoError(t, err)
		require.Equal(t, 2, v)
	}
	require.Equal(t, []reactor.Channel[req]{b}, router.Handlers(kinds, kind))
}

// TestBlockingCallsInsideReactorFailAtOnce checks that Ask and Call from
// a handler, on the pool or a dedicated goroutine, return
// ErrInsideReactor instead of hanging.
func TestBlockingCallsInsideReactorFailAtOnce(t *testing.T) {
	for _, opts := range [][]reactor.SpawnOption{nil, {reactor.WithScheduler(reactor.Dedicated)}} {
		sys, _ := newSys(t)
		srv, err := server.Spawn(sys, func(q int) (int, error) { return q, nil })
		require.NoError(t, err)
		errs := make(chan error, 2)
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			r.Main().Events().OnEvent(func(int) {
				_, err := server.Ask(context.Background(), srv, 1)
				errs <- err
				_, err = server.Call(context.Background(), sys, func(server.Flow[int]) error { return nil })
				errs <- err
			})
		}, opts...)
		require.NoError(t, err)
		require.NoError(t, ch.Send(1))
		require.ErrorIs(t, reactortest.Receive(t, errs), reactor.ErrInsideReactor)
		require.ErrorIs(t, reactortest.Receive(t, errs), reactor.ErrInsideReactor)
	}
}

// TestAskUnderLoadHonoursDeadlines asks from many clients at once with
// short deadlines while no handler can finish: every Ask returns with its
// context's error, none waits for a handler.
func TestAskUnderLoadHonoursDeadlines(t *testing.T) {
	sys, _ := newSys(t)
	release := make(chan struct{})
	srv, err := server.Spawn(sys, func(q int) (int, error) {
		<-release
		return q, nil
	})
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i+1)*time.Millisecond)
			defer cancel()
			_, err := server.Ask(ctx, srv, i)
			errs <- err
		})
	}
	wg.Wait() // every Ask returned while no handler could finish
	close(release)
	close(errs)
	n := 0
	for err := range errs {
		require.ErrorIs(t, err, context.DeadlineExceeded)
		n++
	}
	require.Equal(t, 20, n)
}

// TestAskThroughRouterLearnsAsyncServerDied checks that a request an
// asynchronous server holds (its reply stream not answered yet) is
// answered with ErrServerTerminated when the server's reactor
// terminates, also when the ask came through a router, which has no
// reactor to watch.
func TestAskThroughRouterLearnsAsyncServerDied(t *testing.T) {
	sys, _ := newSys(t)
	took := make(chan struct{}, 1)
	srv, err := reactor.Spawn(sys, func(r *reactor.Reactor[server.Request[int, int]]) {
		server.ServeAsync(r.Main(), func(int) events.Events[int] {
			took <- struct{}{}
			return (&events.Emitter[int]{}).Events() // never emits

		})
	})
	require.NoError(t, err)
	got := askAsync(context.Background(), viaRouter(t, sys, srv), 1)
	reactortest.Receive(t, took)
	require.NoError(t, srv.Stop())
	require.ErrorIs(t, reactortest.Receive(t, got).err, server.ErrServerTerminated)
}

// TestAskThroughRouterLearnsOfShutdown checks that an ask whose request
// waits in a server's queue, sent through a router's channel, returns
// ErrServerTerminated when the system shuts down, with a context that
// never ends and with one that can.
func TestAskThroughRouterLearnsOfShutdown(t *testing.T) {
	for kind, askCtx := range askContexts(t) {
		t.Run(kind, func(t *testing.T) {
			sys, _ := newSys(t)
			// Shutdown asks the live reactors to stop newest first: once
			// this older, idle reactor has terminated, the server has
			// been asked too, and its held handler may return. The held
			// server runs on its own goroutine, so that the older
			// reactor's last turn finds a pool worker free even with one
			// worker.
			older, err := reactor.Spawn(sys, func(*reactor.Reactor[int]) {})
			require.NoError(t, err)
			h := spawnHeld(t, sys, reactor.WithScheduler(reactor.Dedicated))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			first := askAsync(ctx, h.srv, 1)
			require.Equal(t, 1, reactortest.Receive(t, h.entered))
			// The router's target tells when the request is in the
			// server's mailbox (Len may still count the request being
			// handled).
			relay := &relaying{to: h.srv, sent: make(chan struct{}, 1)}
			queued := askAsync(askCtx, viaRouter(t, sys, reactor.ChannelOf[server.Request[int, int]](relay)), 2)
			reactortest.Receive(t, relay.sent)
			shut := make(chan error, 1)
			go func() { shut <- sys.Shutdown(context.Background()) }()
			reactortest.Receive(t, older.Done())
			close(h.gate)
			require.NoError(t, reactortest.Receive(t, first).err)
			err = reactortest.Receive(t, queued).err
			require.ErrorIs(t, err, server.ErrServerTerminated)
			require.NoError(t, reactortest.Receive(t, shut))
		})
	}
}

// TestAskLearnsAsyncServerRestarted checks that requests an asynchronous
// server holds when it fails and restarts are answered with
// ErrServerFailed (their streams went with the failed incarnation),
// asked directly and through a router, and that the restarted server
// serves the asks that follow.
func TestAskLearnsAsyncServerRestarted(t *testing.T) {
	for _, via := range []string{"direct", "router"} {
		t.Run(via, func(t *testing.T) {
			sys, _ := newSys(t)
			took := make(chan int, 10)
			srv, err := reactor.Spawn(sys, func(r *reactor.Reactor[server.Request[int, int]]) {
				server.ServeAsync(r.Main(), func(q int) events.Events[int] {
					switch q {
					case 1:
						took <- q
						return (&events.Emitter[int]{}).Events() // never emits
					case 2:
						panic("fail the incarnation")
					}
					return events.From[int](just(q * 10))
				})
			}, reactor.WithRestart(reactor.RestartPolicy{MaxRestarts: 5}))
			require.NoError(t, err)
			target := server.Server[int, int](srv)
			if via == "router" {
				target = viaRouter(t, sys, srv)
			}
			held := askAsync(context.Background(), target, 1)
			require.Equal(t, 1, reactortest.Receive(t, took))
			_, err = server.Ask(context.Background(), target, 2)
			require.ErrorIs(t, err, server.ErrServerFailed)
			require.ErrorIs(t, reactortest.Receive(t, held).err, server.ErrServerFailed)
			v, err := server.Ask(context.Background(), target, 3)
			require.NoError(t, err)
			require.Equal(t, 30, v)
		})
	}
}

// just is a stream of one value, told at subscription.
type just int

func (j just) Subscribe(o events.Observer[int]) events.Subscription {
	o.OnEvent(int(j))
	o.OnDone()
	return events.Nop()
}

// relaying sends to to and then reports on sent.
type relaying struct {
	to   server.Server[int, int]
	sent chan struct{}
}

func (r *relaying) Send(req server.Request[int, int]) error {
	err := r.to.Send(req)
	r.sent <- struct{}{}
	return err
}

func (r *relaying) Name() string { return "relay" }

// doneCounter is a context with a deadline that counts the calls of its
// Done method.
type doneCounter struct {
	context.Context
	calls atomic.Int64
}

func (d *doneCounter) Done() <-chan struct{} {
	d.calls.Add(1)
	return d.Context.Done()
}

// TestAskWithDeadlineFindsShortRepliesThere checks the path of an ask
// whose context can end: the handler runs on the server's worker, which
// the asker lets run first, so that (with one processor, where nothing
// else can run meanwhile) the reply of a short handler is there when the
// send returns, and the asker never waits on ctx.Done, whose channel a
// context.WithTimeout context would make at the first call. The same
// through a router's channel. (The bound leaves room for the odd time
// the Go scheduler looks at its global queue first.)
func TestAskWithDeadlineFindsShortRepliesThere(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for _, via := range []bool{false, true} {
		name := "direct"
		if via {
			name = "router"
		}
		t.Run(name, func(t *testing.T) {
			sys, _ := newSys(t)
			srv, err := server.Spawn(sys, double)
			require.NoError(t, err)
			if via {
				srv = viaRouter(t, sys, srv)
			}
			parent, cancel := context.WithTimeout(context.Background(), time.Hour)
			defer cancel()
			ctx := &doneCounter{Context: parent}
			for i := range 100 {
				v, err := server.Ask(ctx, srv, i)
				require.NoError(t, err)
				require.Equal(t, 2*i, v)
			}
			require.LessOrEqual(t, ctx.calls.Load(), int64(20), "asks that waited on ctx.Done")
		})
	}
}
