package twoway_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/protocol/twoway"
	"github.com/reactors-go/reactors/reactor"
)

// actor is a reactor whose main channel carries closures, so that a test
// can act inside it.
type actor reactor.Channel[func(reactor.Owner)]

func spawnActor(t *testing.T, sys *reactor.System) actor {
	t.Helper()
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[func(reactor.Owner)]) {
		r.Main().Events().OnEvent(func(f func(reactor.Owner)) { f(r) })
	})
	require.NoError(t, err)
	return actor(ch)
}

// do runs f inside the actor and returns when it has run.
func (a actor) do(t *testing.T, f func(o reactor.Owner)) {
	t.Helper()
	ran := make(chan struct{})
	require.NoError(t, reactor.Channel[func(reactor.Owner)](a).Send(func(o reactor.Owner) { f(o); close(ran) }))
	<-ran
}

// quietSystem returns a system that logs nothing, shut down when the
// test ends.
func quietSystem(t *testing.T) *reactor.System {
	t.Helper()
	sys := reactor.New(reactor.WithLogger(zerolog.Nop()))
	t.Cleanup(func() { require.NoError(t, sys.Shutdown(context.Background())) })
	return sys
}

// echoServer opens a two-way server in a reactor of its own that greets
// every link with "hi" at once and answers every int n with its decimal
// string; it returns the server's channel and the server-side links.
func echoServer(t *testing.T, sys *reactor.System) (actor, reactor.Channel[twoway.Request[string, int]], chan twoway.Link[int, string]) {
	t.Helper()
	srv := spawnActor(t, sys)
	links := make(chan twoway.Link[int, string], 10)
	var ch reactor.Channel[twoway.Request[string, int]]
	srv.do(t, func(o reactor.Owner) {
		s, err := twoway.Open[string, int](o)
		require.NoError(t, err)
		ch = s.Channel()
		s.Links().OnEvent(func(l twoway.Link[int, string]) {
			require.NoError(t, l.Out.Send("hi"))
			l.In.OnEvent(func(n int) { _ = l.Out.Send(strconv.Itoa(n)) })
			links <- l
		})
	})
	return srv, ch, links
}

// connect connects from a new reactor and returns it with its link, and
// what arrives on the link.
func connect(t *testing.T, sys *reactor.System, srv reactor.Channel[twoway.Request[string, int]]) (actor, twoway.Link[string, int], chan string) {
	t.Helper()
	cli := spawnActor(t, sys)
	got := make(chan string, 100)
	res := make(chan twoway.Link[string, int], 1)
	cli.do(t, func(o reactor.Owner) {
		twoway.Connect(o, srv).Events().OnEvent(func(l twoway.Link[string, int]) {
			l.In.OnEventOrDone(func(s string) { got <- s }, func() { close(got) })
			res <- l
		})
	})
	return cli, <-res, got
}

func TestTwoWayExchange(t *testing.T) {
	sys := quietSystem(t)
	_, srv, links := echoServer(t, sys)
	_, link, got := connect(t, sys, srv)
	<-links
	// The greeting was sent before the client had its side: it waited.
	require.Equal(t, "hi", <-got)
	for i := range 3 {
		require.NoError(t, link.Out.Send(i))
	}
	require.Equal(t, "0", <-got)
	require.Equal(t, "1", <-got)
	require.Equal(t, "2", <-got)
}

func TestTwoWayCloseOwnSide(t *testing.T) {
	sys := quietSystem(t)
	srv, ch, links := echoServer(t, sys)
	cli, link, got := connect(t, sys, ch)
	server := <-links
	require.Equal(t, "hi", <-got)
	cli.do(t, func(reactor.Owner) { require.True(t, link.Close()) })
	_, open := <-got
	require.False(t, open, "In completes when its side closes")
	srv.do(t, func(reactor.Owner) {
		require.ErrorIs(t, server.Out.Send("late"), reactor.ErrSealed)
	})
	// The server's side is still open: the client may still send to it.
	require.NoError(t, link.Out.Send(7))
	cli.do(t, func(reactor.Owner) { require.False(t, link.Close()) })
}

func TestTwoWayServerCloseKeepsLinks(t *testing.T) {
	sys := quietSystem(t)
	srvA := spawnActor(t, sys)
	var s *twoway.Server[string, int]
	srvLinks := make(chan twoway.Link[int, string], 1)
	linksDone := make(chan struct{})
	srvA.do(t, func(o reactor.Owner) {
		var err error
		s, err = twoway.Open[string, int](o)
		require.NoError(t, err)
		s.Links().OnEventOrDone(func(l twoway.Link[int, string]) {
			l.In.OnEvent(func(n int) { _ = l.Out.Send(strconv.Itoa(n * 2)) })
			srvLinks <- l
		}, func() { close(linksDone) })
	})
	_, link, got := connect(t, sys, s.Channel())
	<-srvLinks
	srvA.do(t, func(reactor.Owner) { s.Close() })
	<-linksDone
	require.NoError(t, link.Out.Send(21))
	require.Equal(t, "42", <-got)
	// New links are refused.
	cli := spawnActor(t, sys)
	errs := make(chan error, 1)
	cli.do(t, func(o reactor.Owner) {
		twoway.Connect(o, s.Channel()).Events().OnError(func(err error) { errs <- err })
	})
	require.ErrorIs(t, <-errs, reactor.ErrSealed)
}

func TestTwoWayServerTerminates(t *testing.T) {
	sys := quietSystem(t)
	// A server that terminates instead of answering.
	srv, err := reactor.Spawn(sys, func(r *reactor.Reactor[twoway.Request[string, int]]) {
		r.Main().Events().OnEvent(func(twoway.Request[string, int]) { r.Main().Seal() })
	})
	require.NoError(t, err)
	cli := spawnActor(t, sys)
	errs := make(chan error, 1)
	cli.do(t, func(o reactor.Owner) {
		twoway.Connect(o, srv).Events().Subscribe(&events.Funcs[twoway.Link[string, int]]{
			Event: func(twoway.Link[string, int]) { errs <- nil },
			Error: func(err error) { errs <- err },
		})
	})
	require.ErrorIs(t, <-errs, twoway.ErrNoLink)
}
