package remote_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/protocol"
	"github.com/reactors-go/reactors/protocol/retry"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/router"
	"github.com/reactors-go/reactors/server"
)

// The bad-input table lives here because remote is the one package whose
// external tests may import every other (reactor, router, server,
// protocol and its subpackages, dht and remote itself).

// badEnv is a fresh system per row: its failures and log lines are
// recorded, and an echo server, spawned before the row runs, must still
// answer after it.
type badEnv struct {
	ctx      context.Context // bounds every wait of the row
	sys      *reactor.System
	failures chan reactor.Failure
	logs     chan string
	echo     server.Server[int, int]
}

// logLines is a zerolog writer that hands every line to a channel.
type logLines chan string

func (l logLines) Write(p []byte) (int, error) {
	select {
	case l <- string(bytes.TrimSpace(p)):
	default: // the row looks at the first lines only
	}
	return len(p), nil
}

// badRow is one bad input: call makes the bad call and returns its error.
// The row expects exactly one of: a panic at the call with the exact
// message panics, or an error matching every one of errs, or a nil error;
// then, if set, a Failure whose panic value prints as failure and a log
// line holding every one of logged. onFailure and onDeadLetter replace
// the system's recording failure handler and set a dead-letter handler.
type badRow struct {
	name         string
	onFailure    func(reactor.Failure)
	onDeadLetter func(reactor.DeadLetter)
	call         func(t *testing.T, e *badEnv) error
	panics       string
	errs         []error
	failure      string
	logged       []string
}

func TestBadInputIsRefusedAndTheSystemRunsOn(t *testing.T) {
	rows := []badRow{
		// Functions the runtime calls outside a turn: a panic there used to
		// end the process from a worker goroutine.
		{
			name: "panicking AfterTerminate function",
			call: func(t *testing.T, e *badEnv) error {
				ch := sealer(t, e)
				require.True(t, ch.AfterTerminate(func(error) { panic("after-terminate boom") }))
				return ch.Send(1) // the reactor seals its channel and terminates
			},
			failure: "after-terminate boom",
		},
		{
			name: "panicking AfterTerminate function of a terminated reactor",
			call: func(t *testing.T, e *badEnv) error {
				ch := sealer(t, e)
				require.NoError(t, ch.Send(1))
				waitClosed(t, e, ch.Done())
				require.True(t, ch.AfterTerminate(func(error) { panic("late boom") })) // runs here, at once
				return nil
			},
			failure: "late boom",
		},
		{
			name: "nil AfterTerminate function",
			call: func(t *testing.T, e *badEnv) error {
				sealer(t, e).AfterTerminate(nil)
				return nil
			},
			panics: "reactor: AfterTerminate with a nil function",
		},
		{
			name:      "panicking failure handler",
			onFailure: func(reactor.Failure) { panic("failure-handler boom") },
			call: func(t *testing.T, e *badEnv) error {
				ch, err := reactor.Spawn(e.sys, func(r *reactor.Reactor[int]) {
					r.Main().Events().OnEvent(func(int) { panic("handler boom") })
				})
				require.NoError(t, err)
				return ch.Send(1)
			},
			logged: []string{"failure handler panicked", "failure-handler boom", "handler boom"},
		},
		{
			name:         "panicking dead-letter handler, at a termination",
			onDeadLetter: func(reactor.DeadLetter) { panic("dead-letter boom") },
			call: func(t *testing.T, e *badEnv) error {
				gate := make(chan struct{})
				ch, err := reactor.Spawn(e.sys, func(r *reactor.Reactor[int]) {
					r.Main().Events().OnEvent(func(int) { <-gate; panic("handler boom") })
				})
				require.NoError(t, err)
				require.NoError(t, ch.Send(1))
				require.NoError(t, ch.Send(2)) // queued behind the blocked handler
				close(gate)                    // the reactor fails: event 2 is dead-lettered as it terminates
				waitClosed(t, e, ch.Done())
				return nil
			},
			failure: "handler boom",
			logged:  []string{"dead-letter handler panicked", "dead-letter boom"},
		},
		{
			name: "panicking completion handler, at a termination",
			call: func(t *testing.T, e *badEnv) error {
				told := make(chan struct{})
				ch, err := reactor.Spawn(e.sys, func(r *reactor.Reactor[int]) {
					ev := r.Main().Events()
					ev.OnEventOrDone(func(int) { panic("handler boom") }, func() { panic("done boom") })
					ev.OnDone(func() { close(told) }) // still told after the other's panic
				})
				require.NoError(t, err)
				require.NoError(t, ch.Send(1))
				waitClosed(t, e, told)
				return nil
			},
			failure: "done boom",
		},

		// The clock.
		{
			name: "Countdown from 0",
			call: func(t *testing.T, e *badEnv) error { return countdown(t, e, 0) },
		},
		{
			name: "Countdown from -5",
			call: func(t *testing.T, e *badEnv) error { return countdown(t, e, -5) },
		},
		{
			name: "Periodic with period 0",
			call: func(t *testing.T, e *badEnv) error {
				return inReactor(t, e, func(r *reactor.Reactor[int]) error { reactor.Periodic(r, 0); return nil })
			},
			panics: "reactor: Periodic: non-positive period 0s",
		},
		{
			name: "Periodic with a negative period",
			call: func(t *testing.T, e *badEnv) error {
				return inReactor(t, e, func(r *reactor.Reactor[int]) error { reactor.Periodic(r, -time.Millisecond); return nil })
			},
			panics: "reactor: Periodic: non-positive period -1ms",
		},
		{
			name: "After of 0 fires once, at once",
			call: func(t *testing.T, e *badEnv) error {
				got := make(chan int, 1)
				require.NoError(t, inReactor(t, e, func(r *reactor.Reactor[int]) error {
					n := 0
					reactor.After(r, 0).OnEventOrDone(func(struct{}) { n++ }, func() { got <- n })
					return nil
				}))
				if n := receiveBefore(t, e, got); n != 1 {
					return fmt.Errorf("%d events, want 1", n)
				}
				return nil
			},
		},

		// Options out of range.
		{
			name: "Bounded with an unknown overflow policy",
			call: func(t *testing.T, e *badEnv) error {
				_, err := reactor.Spawn(e.sys, func(*reactor.Reactor[int]) {}, reactor.WithMain(reactor.Bounded(1, reactor.Overflow(99))))
				return err
			},
			errs: []error{reactor.ErrInvalidOption},
		},
		{
			name: "Bounded to 0 events",
			call: func(t *testing.T, e *badEnv) error {
				_, err := reactor.Spawn(e.sys, func(*reactor.Reactor[int]) {}, reactor.WithMain(reactor.Bounded(0, reactor.Fail)))
				return err
			},
			errs: []error{reactor.ErrInvalidOption},
		},
		{
			name: "Open with an unknown overflow policy",
			call: func(t *testing.T, e *badEnv) error {
				return inReactor(t, e, func(r *reactor.Reactor[int]) error {
					_, err := reactor.Open[int](r, reactor.Bounded(4, reactor.Overflow(7)))
					return err
				})
			},
			errs: []error{reactor.ErrInvalidOption},
		},
		{
			name: "unknown scheduler",
			call: func(t *testing.T, e *badEnv) error {
				_, err := reactor.Spawn(e.sys, func(*reactor.Reactor[int]) {}, reactor.WithScheduler(reactor.Scheduler(5)))
				return err
			},
			errs: []error{reactor.ErrInvalidOption},
		},
		{
			name: "negative restart policy",
			call: func(t *testing.T, e *badEnv) error {
				_, err := reactor.Spawn(e.sys, func(*reactor.Reactor[int]) {}, reactor.WithRestart(reactor.RestartPolicy{MaxRestarts: 3, Backoff: -time.Second}))
				return err
			},
			errs: []error{reactor.ErrInvalidOption},
		},
		{
			name: "DeadLetter with an unknown reason",
			call: func(t *testing.T, e *badEnv) error {
				e.sys.DeadLetter("x", reactor.Reason(200), 1)
				return nil
			},
			panics: "reactor: DeadLetter with an unknown reason 200",
		},

		// Nil functions, senders, policies, systems and sizes.
		{
			name: "ChannelOf a nil Sender",
			call: func(t *testing.T, e *badEnv) error {
				return reactor.ChannelOf[int](nil).Send(1)
			},
			panics: "reactor: ChannelOf with a nil Sender",
		},
		{
			name: "Spawn in a nil system",
			call: func(t *testing.T, e *badEnv) error {
				_, err := reactor.Spawn(nil, func(*reactor.Reactor[int]) {})
				return err
			},
			errs: []error{reactor.ErrNilSystem},
		},
		{
			name: "router with a nil policy",
			call: func(t *testing.T, e *badEnv) error {
				return router.New[int](e.sys, "r", nil).Send(1)
			},
			panics: "router: New with a nil policy",
		},
		{
			name: "router in a nil system",
			call: func(t *testing.T, e *badEnv) error {
				return router.New(nil, "r", router.RoundRobin[int]()).Send(1)
			},
			panics: "router: New with a nil system",
		},
		{
			name: "router reactor of a nil Router",
			call: func(t *testing.T, e *badEnv) error {
				_, err := router.Spawn[int](e.sys, nil)
				return err
			},
			panics: "router: nil Router",
		},
		{
			name: "paths in a nil system",
			call: func(t *testing.T, e *badEnv) error {
				router.NewPaths[int](nil)
				return nil
			},
			panics: "router: NewPaths with a nil system",
		},
		{
			name: "kinds in a nil system",
			call: func(t *testing.T, e *badEnv) error {
				router.NewKinds(nil)
				return nil
			},
			panics: "router: NewKinds with a nil system",
		},
		{
			name: "DeficitRoundRobin with a nil cost",
			call: func(t *testing.T, e *badEnv) error {
				router.DeficitRoundRobin[int](1, nil)
				return nil
			},
			panics: "router: DeficitRoundRobin: nil cost function",
		},
		{
			name: "ScatterGather with a nil request",
			call: func(t *testing.T, e *badEnv) error {
				_, err := router.ScatterGather[int, int](e.ctx, e.sys, []reactor.Channel[int]{sealer(t, e)}, nil, 1)
				return err
			},
			errs: []error{router.ErrNilFunc},
		},
		{
			name: "ScatterGatherIn with a nil request",
			call: func(t *testing.T, e *badEnv) error {
				target := sealer(t, e)
				return inReactor(t, e, func(r *reactor.Reactor[int]) error {
					_, err := router.ScatterGatherIn[int, int](r, []reactor.Channel[int]{target}, nil, 1, time.Second).Value()
					return err
				})
			},
			errs: []error{router.ErrNilFunc},
		},
		{
			name: "TailChop with a nil request",
			call: func(t *testing.T, e *badEnv) error {
				_, err := router.TailChop[int, int](e.ctx, e.sys, []reactor.Channel[int]{sealer(t, e)}, nil, time.Millisecond)
				return err
			},
			errs: []error{router.ErrNilFunc},
		},
		{
			name: "Inbox of negative size",
			call: func(t *testing.T, e *badEnv) error {
				protocol.NewInbox[int](e.sys, "x", -1)
				return nil
			},
			panics: "protocol: NewInbox: negative size",
		},
		{
			name: "Inbox in a nil system",
			call: func(t *testing.T, e *badEnv) error {
				protocol.NewInbox[int](nil, "x", 1)
				return nil
			},
			panics: "protocol: NewInbox with a nil system",
		},
		{
			name: "protocol reactor of a nil Install",
			call: func(t *testing.T, e *badEnv) error {
				_, err := protocol.Spawn[int](e.sys, nil)
				return err
			},
			panics: "protocol: nil Install",
		},
		{
			name: "Jittered of a nil Backoff",
			call: func(t *testing.T, e *badEnv) error {
				retry.Jittered(nil, 0.5, nil)
				return nil
			},
			panics: "retry: Jittered: nil Backoff",
		},
		{
			name: "server with a nil function",
			call: func(t *testing.T, e *badEnv) error {
				_, err := server.Spawn[int, int](e.sys, nil)
				return err
			},
			errs: []error{server.ErrNilFunc},
		},
		{
			name: "server body of a nil function",
			call: func(t *testing.T, e *badEnv) error {
				server.Body[int, int](nil)
				return nil
			},
			panics: "server: Body with a nil function",
		},
		{
			name: "Call with a nil start",
			call: func(t *testing.T, e *badEnv) error {
				_, err := server.Call[int](e.ctx, e.sys, nil)
				return err
			},
			errs: []error{server.ErrNilFunc},
		},
		{
			name: "Call in a nil system",
			call: func(t *testing.T, e *badEnv) error {
				_, err := server.Call(e.ctx, nil, func(server.Flow[int]) error { return nil })
				return err
			},
			errs: []error{reactor.ErrNilSystem},
		},
		{
			name: "CallIn with a nil start",
			call: func(t *testing.T, e *badEnv) error {
				return inReactor(t, e, func(r *reactor.Reactor[int]) error {
					_, err := server.CallIn[int](r, nil).Value()
					return err
				})
			},
			errs: []error{server.ErrNilFunc},
		},
		{
			name: "Range with a nil function",
			call: func(t *testing.T, e *badEnv) error {
				tab, err := dht.New[string, int](e.sys, 2, dht.StringKey[string])
				require.NoError(t, err)
				defer func() { require.NoError(t, tab.Close(e.ctx)) }()
				_, _, err = tab.Put(e.ctx, "k", 1)
				require.NoError(t, err)
				return tab.Range(e.ctx, nil)
			},
			errs: []error{dht.ErrNilFunc},
		},
		{
			name: "table in a nil system",
			call: func(t *testing.T, e *badEnv) error {
				_, err := dht.New[string, int](nil, 2, dht.StringKey[string])
				return err
			},
			errs: []error{reactor.ErrNilSystem},
		},

		// Systems that are shut down, or nil, where one is needed.
		{
			name: "Await on a shut-down system",
			call: func(t *testing.T, e *badEnv) error {
				_, err := reactor.Await[int](e.ctx, shutDown(t, e), "a#main")
				return err
			},
			errs: []error{reactor.ErrClosed},
		},
		{
			name: "Await under way when the system shuts down",
			call: func(t *testing.T, e *badEnv) error {
				other := reactor.New(reactor.WithLogger(zerolog.Nop()))
				res := make(chan error, 1)
				go func() {
					_, err := reactor.Await[int](e.ctx, other, "a#main")
					res <- err
				}()
				require.NoError(t, other.Shutdown(e.ctx))
				return receiveBefore(t, e, res)
			},
			errs: []error{reactor.ErrClosed},
		},
		{
			name: "remote.Start of a nil system",
			call: func(t *testing.T, e *badEnv) error {
				_, err := remote.Start(t.Context(), nil)
				return err
			},
			errs: []error{remote.ErrStart, reactor.ErrNilSystem},
		},
		{
			name: "remote.Start of a shut-down system",
			call: func(t *testing.T, e *badEnv) error {
				_, err := remote.Start(t.Context(), shutDown(t, e))
				return err
			},
			errs: []error{remote.ErrStart, reactor.ErrClosed},
		},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e := newBadEnv(t, row)
			p, err := callRow(t, e, row)
			switch {
			case row.panics != "":
				require.Equal(t, row.panics, fmt.Sprint(p), "the panic at the call")
			default:
				require.Nil(t, p, "no panic at the call")
				for _, want := range row.errs {
					require.ErrorIs(t, err, want)
				}
				if len(row.errs) == 0 {
					require.NoError(t, err)
				}
			}
			if row.failure != "" {
				waitFailure(t, e, row.failure)
			}
			if len(row.logged) > 0 {
				waitLog(t, e, row.logged)
			}
			// The system runs on: a reactor spawned before the row answers.
			got, err := server.Ask(e.ctx, e.echo, 41)
			require.NoError(t, err)
			require.Equal(t, 42, got)
		})
	}
}

func newBadEnv(t *testing.T, row badRow) *badEnv {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	e := &badEnv{ctx: ctx, failures: make(chan reactor.Failure, 16), logs: make(logLines, 64)}
	onFailure := row.onFailure
	if onFailure == nil {
		onFailure = func(f reactor.Failure) {
			select {
			case e.failures <- f:
			default:
			}
		}
	}
	opts := []reactor.Option{
		reactor.WithWorkers(2),
		reactor.WithLogger(zerolog.New(logLines(e.logs)).Level(zerolog.ErrorLevel)),
		reactor.WithFailureHandler(onFailure),
	}
	if row.onDeadLetter != nil {
		opts = append(opts, reactor.WithDeadLetterHandler(row.onDeadLetter))
	}
	e.sys = reactor.New(opts...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, e.sys.Shutdown(ctx))
	})
	var err error
	e.echo, err = server.Spawn(e.sys, func(q int) (int, error) { return q + 1, nil })
	require.NoError(t, err)
	return e
}

// callRow runs the row's call and returns its error, or the value it
// panicked with.
func callRow(t *testing.T, e *badEnv, row badRow) (p any, err error) {
	defer func() { p = recover() }()
	return nil, row.call(t, e)
}

// sealer spawns a reactor that seals its main channel, and so
// terminates, at its first event.
func sealer(t *testing.T, e *badEnv) reactor.Channel[int] {
	ch, err := reactor.Spawn(e.sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) { r.Main().Seal() })
	})
	require.NoError(t, err)
	return ch
}

// inReactor runs body in the constructor of a new reactor of e's system
// and returns its result; a panic of body is raised again here, on the
// caller's goroutine.
func inReactor(t *testing.T, e *badEnv, body func(r *reactor.Reactor[int]) error) error {
	type result struct {
		err      error
		p        any
		panicked bool
	}
	out := make(chan result, 1)
	_, err := reactor.Spawn(e.sys, func(r *reactor.Reactor[int]) {
		res := result{panicked: true}
		defer func() {
			if res.panicked {
				res.p = recover()
			}
			out <- res
		}()
		res.err = body(r)
		res.panicked = false
	})
	require.NoError(t, err)
	res := receiveBefore(t, e, out)
	if res.panicked {
		panic(res.p)
	}
	return res.err
}

// countdown subscribes to Countdown(n) and reports an error unless the
// stream completes without an event.
func countdown(t *testing.T, e *badEnv, n int) error {
	got := make(chan []int, 1)
	require.NoError(t, inReactor(t, e, func(r *reactor.Reactor[int]) error {
		var seen []int
		reactor.Countdown(r, n, time.Millisecond).OnEventOrDone(
			func(i int) { seen = append(seen, i) },
			func() { got <- seen },
		)
		return nil
	}))
	if seen := receiveBefore(t, e, got); len(seen) > 0 {
		return fmt.Errorf("countdown from %d emitted %v", n, seen)
	}
	return nil
}

// shutDown returns a system that has been shut down.
func shutDown(t *testing.T, e *badEnv) *reactor.System {
	sys := reactor.New(reactor.WithLogger(zerolog.Nop()))
	require.NoError(t, sys.Shutdown(e.ctx))
	return sys
}

func receiveBefore[T any](t *testing.T, e *badEnv, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-e.ctx.Done():
		t.Fatal("nothing received before the row's deadline")
		panic("unreachable")
	}
}

func waitClosed(t *testing.T, e *badEnv, ch <-chan struct{}) {
	t.Helper()
	receiveBefore(t, e, ch)
}

// waitFailure waits for a failure whose panic value prints as want.
func waitFailure(t *testing.T, e *badEnv, want string) {
	t.Helper()
	var seen []string
	for {
		f := receiveBefore(t, e, e.failures)
		var pe *reactor.PanicError
		if errors.As(f.Err, &pe) && fmt.Sprint(pe.Value) == want {
			return
		}
		seen = append(seen, fmt.Sprint(f.Err))
		require.Less(t, len(seen), cap(e.failures), "failures seen: %v", seen)
	}
}

// waitLog waits for an error log line holding every string of want.
func waitLog(t *testing.T, e *badEnv, want []string) {
	t.Helper()
	for {
		line := receiveBefore(t, e, e.logs)
		all := true
		for _, w := range want {
			all = all && strings.Contains(line, w)
		}
		if all {
			return
		}
	}
}
