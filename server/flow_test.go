package server_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/server"
)

// step is a message of a test flow: a running total and the callback.
type step struct {
	total int
	flow  server.Flow[int]
}

// chain spawns reactors that each add their number and pass the step on;
// the last one answers the flow. seen receives each flow id each reactor
// sees. With again set, the last reactor answers a second time and puts
// that answer's error on again.
func chain(t *testing.T, sys *reactor.System, seen chan<- uint64, again chan<- error, adds ...int) reactor.Channel[step] {
	t.Helper()
	next := reactor.Channel[step]{}
	for i := len(adds) - 1; i >= 0; i-- {
		add, to := adds[i], next
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[step]) {
			r.Main().Events().OnEvent(func(s step) {
				seen <- s.flow.ID()
				s.total += add
				if to == (reactor.Channel[step]{}) {
					_ = s.flow.Answer(s.total)
					if again != nil {
						again <- s.flow.Answer(-1)
					}
					return
				}
				_ = to.Send(s)
			})
		})
		require.NoError(t, err)
		next = ch
	}
	return next
}

func TestCallThroughChain(t *testing.T) {
	sys, dead := newSys(t)
	seen := make(chan uint64, 10)
	errs := make(chan error, 1)
	first := chain(t, sys, seen, errs, 1, 10, 100)
	v, err := server.Call(context.Background(), sys, func(f server.Flow[int]) error {
		return first.Send(step{flow: f})
	})
	require.NoError(t, err)
	require.Equal(t, 111, v)
	id := <-seen
	require.NotZero(t, id)
	require.Equal(t, id, <-seen, "the correlation id travels unchanged")
	require.Equal(t, id, <-seen)
	require.ErrorIs(t, <-errs, reactor.ErrExpired, "the first answer wins")
	require.Equal(t, 1, dead.count(reactor.ReasonExpired))
}

func TestCallErrors(t *testing.T) {
	sys, _ := newSys(t)
	bad := errors.New("cannot start")
	_, err := server.Call(context.Background(), sys, func(server.Flow[int]) error { return bad })
	require.ErrorIs(t, err, bad)

	// Nobody answers: the deadline ends the call.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err = server.Call(ctx, sys, func(server.Flow[int]) error { return nil })
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// A flow failed on purpose.
	failing, err := reactor.Spawn(sys, func(r *reactor.Reactor[step]) {
		r.Main().Events().OnEvent(func(s step) { _ = s.flow.Fail(bad) })
	})
	require.NoError(t, err)
	_, err = server.Call(context.Background(), sys, func(f server.Flow[int]) error {
		return failing.Send(step{flow: f})
	})
	require.ErrorIs(t, err, bad)

	var zero server.Flow[int]
	require.NoError(t, zero.Answer(1), "the zero flow drops its answer")
}

// TestRequestFlow: a server hands the duty to answer to a worker down the
// line; the asker's Ask gets the worker's answer.
func TestRequestFlow(t *testing.T) {
	sys, _ := newSys(t)
	seen := make(chan uint64, 10)
	worker := chain(t, sys, seen, nil, 5)
	front, err := reactor.Spawn(sys, func(r *reactor.Reactor[server.Request[int, int]]) {
		r.Main().Events().OnEvent(func(req server.Request[int, int]) {
			_ = worker.Send(step{total: req.Value, flow: req.Flow()})
		})
	})
	require.NoError(t, err)
	v, err := server.Ask(context.Background(), front, 37)
	require.NoError(t, err)
	require.Equal(t, 42, v)
}

func TestCallIn(t *testing.T) {
	sys, _ := newSys(t)
	seen := make(chan uint64, 10)
	first := chain(t, sys, seen, nil, 2, 3)
	got := make(chan int, 1)
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		server.CallIn(r, func(f server.Flow[int]) error {
			return first.Send(step{total: 1, flow: f})
		}).Events().OnEvent(func(v int) { got <- v })
	})
	require.NoError(t, err)
	require.Equal(t, 6, <-got)
}
