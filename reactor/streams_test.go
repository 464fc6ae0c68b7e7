package reactor_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// TestSealedConnectorStreamCompletes checks that sealing a connector
// completes its stream, and with it every combinator built on it.
func TestSealedConnectorStreamCompletes(t *testing.T) {
	sys, _ := newSys(t)
	got := make(chan []int, 1)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		var seen []int
		evens := r.Main().Events().Filter(func(v int) bool { return v%2 == 0 })
		events.Map(evens, func(v int) int { return v * 10 }).OnEventOrDone(
			func(v int) { seen = append(seen, v) },
			func() { got <- seen },
		)
		r.Main().Events().OnEvent(func(v int) {
			if v == 5 {
				r.Main().Seal()
			}
		})
	})
	require.NoError(t, err)
	for i := 1; i <= 5; i++ {
		require.NoError(t, ch.Send(i))
	}
	require.Equal(t, []int{20, 40}, reactortest.Receive(t, got))
}

// TestPipeIntoChannel pipes a stream of one reactor into another reactor's
// channel.
func TestPipeIntoChannel(t *testing.T) {
	sys, _ := newSys(t)
	got := make(chan int, 10)
	sink, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) { got <- v })
	})
	require.NoError(t, err)
	src, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		events.Scan(r.Main().Events(), 0, func(a, v int) int { return a + v }).Pipe(sink)
	})
	require.NoError(t, err)
	for i := 1; i <= 4; i++ {
		require.NoError(t, src.Send(i))
	}
	for _, want := range []int{1, 3, 6, 10} {
		require.Equal(t, want, reactortest.Receive(t, got))
	}
}

// TestUnsubscribeFromInsideHandler stops a handler from inside itself: the
// connector's later events go to the remaining handler only.
func TestUnsubscribeFromInsideHandler(t *testing.T) {
	sys, _ := newSys(t)
	got := make(chan string, 10)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		var first events.Subscription
		first = r.Main().Events().OnEvent(func(v int) {
			got <- "first"
			first.Unsubscribe()
		})
		r.Main().Events().OnEvent(func(v int) { got <- "second" })
	})
	require.NoError(t, err)
	require.NoError(t, ch.Send(1))
	require.NoError(t, ch.Send(2))
	require.Equal(t, "first", reactortest.Receive(t, got))
	require.Equal(t, "second", reactortest.Receive(t, got))
	require.Equal(t, "second", reactortest.Receive(t, got))
}
