package metrics_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/server"
)

// handledByCounter is how many events the scenario's counting reactor
// handles.
const handledByCounter = 100

// The scenario's totals, once run and shut down.
const (
	wantSpawned    = 6
	wantFailures   = 1
	wantRestarts   = 1
	wantDead       = 2 // all with reactor.ReasonTerminated
	wantHeldDepth  = 5 // events queued behind the held reactor's handler
	wantHandled    = handledByCounter + 1 + wantHeldDepth + 1 + 1
	wantAsks       = 2
	wantAsksExpire = 1
)

// scenario does to sys what the tests then read back, each step waited
// for so that the figures are exact:
//
//   - a reactor handles handledByCounter events, then seals itself;
//   - a reactor with a restart policy fails in its first constructor and
//     restarts: one failure, one restart; it lives on;
//   - a reactor seals itself at once, and two sends to it after its end
//     are dead letters with reason "terminated";
//   - an echo server answers one ask, then stops;
//   - a server that never answers holds one ask, which times out (an
//     expired ask), then stops;
//   - a dedicated reactor is held in the handler of an event of a side
//     connector with wantHeldDepth events queued on its main one, while
//     atHeld runs; then it handles them and seals itself.
//
// That is wantSpawned reactors, of which all but one terminate, and
// wantHandled events handled.
func scenario(t *testing.T, sys *reactor.System, atHeld func()) {
	t.Helper()

	done := make(chan struct{})
	seen := 0
	count, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) {
			seen++
			if seen == handledByCounter {
				r.Main().Seal()
				close(done)
			}
		})
	})
	require.NoError(t, err)
	for i := range handledByCounter {
		require.NoError(t, count.Send(i))
	}
	reactortest.Receive(t, done)
	reactortest.WaitClosed(t, count.Done())

	up := make(chan struct{})
	incarnations := 0
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		incarnations++
		if incarnations == 1 {
			panic("first incarnation fails")
		}
		close(up)
	}, reactor.WithRestart(reactor.RestartPolicy{MaxRestarts: 1, Window: time.Hour}))
	require.NoError(t, err)
	reactortest.WaitClosed(t, up)

	gone, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) { r.Main().Seal() })
	require.NoError(t, err)
	reactortest.WaitClosed(t, gone.Done())
	for i := range wantDead {
		require.ErrorIs(t, gone.Send(i), reactor.ErrTerminated)
	}

	echo, err := server.Spawn(sys, func(q int) (int, error) { return q, nil })
	require.NoError(t, err)
	v, err := server.Ask(context.Background(), echo, 7)
	require.NoError(t, err)
	require.Equal(t, 7, v)
	require.NoError(t, echo.Stop())
	reactortest.WaitClosed(t, echo.Done())

	got := make(chan struct{})
	var holding []server.Request[int, int] // owned by the silent server
	silent, err := reactor.Spawn(sys, func(r *reactor.Reactor[server.Request[int, int]]) {
		r.Main().Events().OnEvent(func(q server.Request[int, int]) {
			holding = append(holding, q)
			close(got)
		})
	})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	_, err = server.Ask(ctx, silent, 1)
	require.True(t, errors.Is(err, context.DeadlineExceeded), "the ask times out: %v", err)
	reactortest.WaitClosed(t, got) // the request was handed over, whenever
	require.NoError(t, silent.Stop())
	reactortest.WaitClosed(t, silent.Done())

	// The held reactor blocks in the handler of a side connector, so
	// that its main connector's events are all still queued: the depth
	// counts main connectors (without WithIntrospection), and an event
	// being handled is not counted in either case.
	entered, release := make(chan struct{}), make(chan struct{})
	released := false
	defer func() {
		if !released {
			close(release)
		}
	}()
	gates := make(chan reactor.Channel[struct{}], 1)
	held, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		gate, err := reactor.Open[struct{}](r)
		if err != nil {
			panic(err)
		}
		gate.Events().OnEvent(func(struct{}) {
			close(entered)
			<-release
		})
		r.Main().Events().OnEvent(func(n int) {
			if n == wantHeldDepth {
				r.Main().Seal()
				gate.Seal()
			}
		})
		gates <- gate.Channel()
	}, reactor.WithScheduler(reactor.Dedicated))
	require.NoError(t, err)
	require.NoError(t, reactortest.Receive(t, gates).Send(struct{}{}))
	reactortest.WaitClosed(t, entered)
	for i := 1; i <= wantHeldDepth; i++ {
		require.NoError(t, held.Send(i))
	}
	atHeld()
	released = true
	close(release)
	reactortest.WaitClosed(t, held.Done())
}
