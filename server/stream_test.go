package server_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/server"
)

// TestStream: a stream server answers with every item then the end; an
// error ends the stream with it; a plain server's reply is one item.
func TestStream(t *testing.T) {
	sys, dead := newSys(t)
	bad := errors.New("no negative counts")
	counter, err := reactor.Spawn(sys, func(r *reactor.Reactor[server.Request[int, int]]) {
		server.ServeStream(r.Main(), func(n int) events.Events[int] {
			if n < 0 {
				iv := &events.IVar[int]{}
				iv.Fail(bad)
				return iv.Events()
			}
			return reactor.Countdown(r, n, time.Millisecond)
		})
	})
	require.NoError(t, err)
	plain, err := server.Spawn(sys, double)
	require.NoError(t, err)

	out := make(chan string, 20)
	collect := func(r *reactor.Reactor[int], name string, e events.Events[int]) {
		e.Subscribe(&events.Funcs[int]{
			Event: func(v int) { out <- fmt.Sprint(name, " ", v) },
			Error: func(err error) { out <- fmt.Sprint(name, " error: ", errors.Is(err, bad)) },
			Done:  func() { out <- name + " done" },
		})
	}
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		collect(r, "count", server.AskStreamIn(r, counter, 3))
	})
	require.NoError(t, err)
	require.Equal(t, []string{"count 2", "count 1", "count 0", "count done"}, []string{<-out, <-out, <-out, <-out})

	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		collect(r, "fail", server.AskStreamIn(r, counter, -1))
	})
	require.NoError(t, err)
	require.Equal(t, []string{"fail error: true", "fail done"}, []string{<-out, <-out})

	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		collect(r, "plain", server.AskStreamIn(r, plain, 4))
	})
	require.NoError(t, err)
	require.Equal(t, []string{"plain 8", "plain done"}, []string{<-out, <-out})

	// Ask from a goroutine takes the first item; the rest expire.
	v, err := server.Ask(context.Background(), counter, 2)
	require.NoError(t, err)
	require.Equal(t, 1, v)
	require.Zero(t, dead.count(reactor.ReasonSealed), "no reply reached a sealed stream connector")
}
