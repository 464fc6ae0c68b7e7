package remote_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
	"github.com/reactors-go/reactors/server"
)

var errOdd = errors.New("odd")

// echoServer serves doubled values, refusing odd ones and panicking on 13.
func echoServer(t *testing.T, sys *reactor.System) server.Server[int, int] {
	t.Helper()
	srv, err := server.Spawn(sys, func(v int) (int, error) {
		switch {
		case v == 13:
			panic("thirteen")
		case v%2 != 0:
			return 0, errOdd
		}
		return 2 * v, nil
	})
	require.NoError(t, err)
	return srv
}

// doubler serves echoServer as "doubler" on a new node and returns a
// client of it.
func doubler(t *testing.T) *remote.Client[int, int] {
	t.Helper()
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	_, err := remote.Serve(n, "doubler", echoServer(t, sys))
	require.NoError(t, err)
	c, err := remote.NewClient[int, int](n, "doubler")
	require.NoError(t, err)
	return c
}

func TestServeAsk(t *testing.T) {
	c := doubler(t)
	require.Equal(t, "doubler", c.Name())
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for i := 0; i < 100; i += 2 {
		got, err := c.Ask(ctx, i)
		require.NoError(t, err)
		require.Equal(t, 2*i, got)
	}

	_, err := c.Ask(ctx, 3)
	var se *remote.ServerError
	require.ErrorAs(t, err, &se)
	require.Equal(t, remote.ServerError{Name: "doubler", Code: remote.CodeError, Message: "odd"}, *se)
	require.Equal(t, "remote: doubler: server error: odd", err.Error())
}

// TestServeConcurrent: concurrent askers each get their own answers.
func TestServeConcurrent(t *testing.T) {
	c := doubler(t)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				v := 2 * (g*1000 + i)
				got, err := c.Ask(ctx, v)
				if err != nil || got != 2*v {
					t.Errorf("ask %d: %d, %v", v, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestServeFailures: a panicking handler, a terminated server, no server,
// an undecodable request, a canceled context.
func TestServeFailures(t *testing.T) {
	sys, dead := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	srv := echoServer(t, sys)
	_, err := remote.Serve(n, "doubler", srv)
	require.NoError(t, err)
	c, err := remote.NewClient[int, int](n, "doubler")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()

	_, err = c.Ask(ctx, 13) // panics: the reactor fails
	require.ErrorIs(t, err, server.ErrServerFailed)
	<-srv.Done()
	_, err = c.Ask(ctx, 2)
	require.ErrorIs(t, err, server.ErrServerTerminated)
	require.Equal(t, reactor.ReasonTerminated, reactortest.Receive(t, dead).Reason)

	none, err := remote.NewClient[int, int](n, "nobody")
	require.NoError(t, err)
	_, err = none.Ask(ctx, 1)
	require.ErrorIs(t, err, remote.ErrNoServer)

	strs, err := remote.NewClient[string, int](n, "doubler")
	require.NoError(t, err)
	_, err = strs.Ask(ctx, "two")
	require.ErrorIs(t, err, remote.ErrDecode)
	require.Equal(t, reactor.ReasonUndecodable, reactortest.Receive(t, dead).Reason)

	_, err = remote.Serve(n, "doubler2", echoServer(t, sys))
	require.NoError(t, err)
	wrongReply, err := remote.NewClient[int, string](n, "doubler2")
	require.NoError(t, err)
	_, err = wrongReply.Ask(ctx, 2)
	require.ErrorIs(t, err, remote.ErrDecode)
	require.Contains(t, err.Error(), "reply of doubler2")

	canceled, stop := context.WithCancelCause(context.Background())
	stop(errOdd)
	_, err = c.Ask(canceled, 2)
	require.ErrorIs(t, err, errOdd)
}

// TestServeSlowReply: Ask waits for a reply that comes after other
// events, and gives up when its context ends.
func TestServeSlowReply(t *testing.T) {
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	hold := make(chan server.Request[string, string], 1)
	srv, err := reactor.Spawn(sys, func(r *reactor.Reactor[server.Request[string, string]]) {
		r.Main().Events().OnEvent(func(req server.Request[string, string]) {
			if req.Value == "later" {
				hold <- req
				return
			}
			_ = req.Respond(strings.ToUpper(req.Value))
		})
	})
	require.NoError(t, err)
	_, err = remote.Serve(n, "upper", srv)
	require.NoError(t, err)
	c, err := remote.NewClient[string, string](n, "upper")
	require.NoError(t, err)

	got := make(chan string, 1)
	go func() {
		v, err := c.Ask(context.Background(), "later")
		if err != nil {
			v = err.Error()
		}
		got <- v
	}()
	req := reactortest.Receive(t, hold)
	v, err := c.Ask(context.Background(), "now")
	require.NoError(t, err)
	require.Equal(t, "NOW", v)
	require.NoError(t, req.Respond("finally"))
	require.ErrorIs(t, req.Respond("twice"), reactor.ErrExpired)
	require.Equal(t, "finally", reactortest.Receive(t, got))

	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = c.Ask(short, "later")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	_ = reactortest.Receive(t, hold).Respond("too late") // dropped by the connection
}

func TestServeLimits(t *testing.T) {
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys, remote.WithMaxPayload(32))
	srv, err := server.Spawn(sys, func(k int) (string, error) { return strings.Repeat("x", k), nil })
	require.NoError(t, err)
	_, err = remote.Serve(n, "rep", srv)
	require.NoError(t, err)
	_, err = remote.Serve(n, "rep", srv)
	require.ErrorIs(t, err, remote.ErrDuplicateName)
	_, err = remote.Serve(n, "a.b", srv)
	require.ErrorIs(t, err, remote.ErrInvalidName)

	c, err := remote.NewClient[int, string](n, "rep")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	v, err := c.Ask(ctx, 30) // 32 bytes of JSON
	require.NoError(t, err)
	require.Len(t, v, 30)
	_, err = c.Ask(ctx, 31)
	require.ErrorIs(t, err, remote.ErrPayloadTooLarge)
	var se *remote.ServerError
	require.ErrorAs(t, err, &se)
	require.Equal(t, remote.CodePayload, se.Code)
	require.Equal(t, "remote: rep: server payload: remote: payload too large: rep: 33 bytes, limit 32", err.Error())

	big, err := remote.NewClient[string, string](n, "rep")
	require.NoError(t, err)
	_, err = big.Ask(ctx, strings.Repeat("y", 40))
	var pe *remote.PayloadError
	require.ErrorAs(t, err, &pe)
	require.ErrorIs(t, big.Tell(strings.Repeat("y", 40)), remote.ErrPayloadTooLarge)
}

// TestTell: a one-way request is served, and its reply dropped.
func TestTell(t *testing.T) {
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	seen := make(chan int, 1)
	srv, err := server.Spawn(sys, func(v int) (int, error) { seen <- v; return v, nil })
	require.NoError(t, err)
	_, err = remote.Serve(n, "sink", srv)
	require.NoError(t, err)
	c, err := remote.NewClient[int, int](n, "sink")
	require.NoError(t, err)
	require.NoError(t, c.Tell(9))
	require.Equal(t, 9, reactortest.Receive(t, seen))
}

// TestServeReplyEncodeError: a reply the server's codec cannot encode
// comes back as a ServerError of CodeEncode.
func TestServeReplyEncodeError(t *testing.T) {
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	srv, err := server.Spawn(sys, func(int) (unencodable, error) { return unencodable{F: func() {}}, nil })
	require.NoError(t, err)
	_, err = remote.Serve(n, "bad", srv)
	require.NoError(t, err)
	c, err := remote.NewClient[int, unencodable](n, "bad")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	_, err = c.Ask(ctx, 1)
	require.ErrorIs(t, err, remote.ErrEncode)
	require.NotErrorIs(t, err, remote.ErrPayloadTooLarge)
	var se *remote.ServerError
	require.ErrorAs(t, err, &se)
	require.Equal(t, remote.CodeEncode, se.Code)
}
