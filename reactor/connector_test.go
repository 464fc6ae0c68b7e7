package reactor_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

func TestSealedChannelRefusesAndDeadLetters(t *testing.T) {
	sys, rec := newSys(t)
	sealed := make(chan reactor.Channel[string], 1)
	main, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		side, err := reactor.Open[string](r, reactor.Named("side"))
		require.NoError(t, err)
		side.Events().OnEvent(func(string) {})
		require.True(t, side.Seal())
		require.False(t, side.Seal(), "sealing twice reports false")
		require.True(t, side.Sealed())
		sealed <- side.Channel()
		r.Main().Events().OnEvent(func(int) {})
	}, reactor.WithName("owner"))
	require.NoError(t, err)
	side := reactortest.Receive(t, sealed)
	require.ErrorIs(t, side.Send("late"), reactor.ErrSealed)
	dl := rec.deadLetters()
	require.Len(t, dl, 1)
	require.Equal(t, "owner#side", dl[0].Channel)
	require.Equal(t, reactor.ReasonSealed, dl[0].Reason)
	require.Equal(t, "late", dl[0].Event)
	require.NoError(t, main.Send(1), "the reactor lives on: main is open")
}

func TestReactorTerminatesWhenNonDaemonConnectorsSealed(t *testing.T) {
	sys, _ := newSys(t)
	sideCh := make(chan reactor.Channel[string], 1)
	daemonCh := make(chan reactor.Channel[int], 1)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		side, err := reactor.Open[string](r)
		require.NoError(t, err)
		d, err := reactor.Open[int](r, reactor.Daemon())
		require.NoError(t, err)
		d.Events().OnEvent(func(int) {})
		side.Events().OnEvent(func(string) { side.Seal() })
		r.Main().Events().OnEvent(func(int) { r.Main().Seal() })
		sideCh <- side.Channel()
		daemonCh <- d.Channel()
	})
	require.NoError(t, err)
	side, daemon := reactortest.Receive(t, sideCh), reactortest.Receive(t, daemonCh)
	require.NoError(t, ch.Send(1)) // seals main; the side connector keeps the reactor alive
	require.NoError(t, daemon.Send(1))
	require.NoError(t, side.Send("close")) // last non-daemon connector: terminate
	reactortest.WaitClosed(t, ch.Done())
	require.ErrorIs(t, daemon.Send(2), reactor.ErrTerminated)
}

func TestOpenErrors(t *testing.T) {
	sys, _ := newSys(t)
	errs := make(chan []error, 1)
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		_, e1 := reactor.Open[int](r, reactor.Named("main"))
		_, e2 := reactor.Open[int](r, reactor.Named("x"))
		_, e3 := reactor.Open[string](r, reactor.Named("x"))
		_, e4 := reactor.Open[int](r, reactor.Named("bad#name"))
		errs <- []error{e1, e2, e3, e4}
	})
	require.NoError(t, err)
	e := reactortest.Receive(t, errs)
	require.ErrorIs(t, e[0], reactor.ErrDuplicateName)
	require.NoError(t, e[1])
	require.ErrorIs(t, e[2], reactor.ErrDuplicateName)
	require.ErrorIs(t, e[3], reactor.ErrInvalidName)
}

// TestRoundRobinAcrossConnectors fills two connectors before the first turn
// and checks that a turn drains one connector at a time, FIFO within it, and
// that the budget alternates between them.
func TestRoundRobinAcrossConnectors(t *testing.T) {
	sys, _ := newSys(t, reactor.WithBudget(4))
	order := make(chan []string, 1)
	ready := make(chan reactor.Channel[string], 1)
	gate := make(chan struct{})
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[string]) {
		b, err := reactor.Open[string](r)
		require.NoError(t, err)
		var seen []string
		record := func(s string) {
			seen = append(seen, s)
			if len(seen) == 12 {
				order <- seen
			}
		}
		r.Main().Events().OnEvent(record)
		b.Events().OnEvent(record)
		ready <- b.Channel()
		<-gate // hold the first turn until both mailboxes are full
	})
	require.NoError(t, err)
	b := reactortest.Receive(t, ready)
	for i := range 6 {
		require.NoError(t, ch.Send("a"+string(rune('0'+i))))
		require.NoError(t, b.Send("b"+string(rune('0'+i))))
	}
	close(gate)
	require.Equal(t, []string{
		"a0", "a1", "a2", "a3", // turn 1: main, until the budget of 4 runs out
		"b0", "b1", "b2", "b3", // turn 2 starts at the next connector
		"a4", "a5", "b4", "b5", // turn 3: main drained, then b
	}, reactortest.Receive(t, order))
}

func TestUnhandledEventsAreDeadLetters(t *testing.T) {
	dead := make(chan reactor.DeadLetter, 10)
	sys, _ := newSys(t, reactor.WithDeadLetterHandler(func(d reactor.DeadLetter) { dead <- d }))
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		side, err := reactor.Open[int](r, reactor.Daemon())
		require.NoError(t, err)
		require.NoError(t, side.Channel().Send(42)) // nobody subscribes to side
		r.Main().Events().OnEvent(func(int) {})
	})
	require.NoError(t, err)
	d := reactortest.Receive(t, dead)
	require.Equal(t, reactor.ReasonUnhandled, d.Reason)
	require.Equal(t, 42, d.Event)
}

// TestMainEventsWithoutAHandlerAreDeadLetters checks the main connector:
// a body that subscribes nothing leaves its events unhandled (the body
// waited in the subscriber slot until its turn, and left it empty), and
// so does a handler that removed itself.
func TestMainEventsWithoutAHandlerAreDeadLetters(t *testing.T) {
	dead := make(chan reactor.DeadLetter, 10)
	sys, _ := newSys(t, reactor.WithDeadLetterHandler(func(d reactor.DeadLetter) { dead <- d }))
	silent, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {})
	require.NoError(t, err)
	require.NoError(t, silent.Send(1))
	d := reactortest.Receive(t, dead)
	require.Equal(t, reactor.ReasonUnhandled, d.Reason)
	require.Equal(t, 1, d.Event)

	got := make(chan int, 1)
	once, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		var sub events.Subscription
		sub = r.Main().Events().OnEvent(func(v int) {
			sub.Unsubscribe()
			got <- v
		})
	})
	require.NoError(t, err)
	require.NoError(t, once.Send(2))
	require.Equal(t, 2, reactortest.Receive(t, got))
	require.NoError(t, once.Send(3))
	d = reactortest.Receive(t, dead)
	require.Equal(t, reactor.ReasonUnhandled, d.Reason)
	require.Equal(t, 3, d.Event)
}

func TestDeadLetterStream(t *testing.T) {
	sys, _ := newSys(t)
	got := make(chan reactor.DeadLetter, 1)
	ready := make(chan struct{})
	watcher, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		reactor.DeadLetters(r).OnEvent(func(d reactor.DeadLetter) { got <- d })
		r.Main().Events().OnEvent(func(int) { r.Main().Seal() })
		close(ready)
	})
	require.NoError(t, err)
	<-ready
	gone, err := reactor.Spawn(sys, func(r *reactor.Reactor[string]) { r.Main().Seal() })
	require.NoError(t, err)
	reactortest.WaitClosed(t, gone.Done())
	require.ErrorIs(t, gone.Send("lost"), reactor.ErrTerminated)
	d := reactortest.Receive(t, got)
	require.Equal(t, "lost", d.Event)
	require.Equal(t, reactor.ReasonTerminated, d.Reason)
	require.NoError(t, watcher.Send(0))
	reactortest.WaitClosed(t, watcher.Done())
	// The watcher is gone: further dead letters do not loop through it.
	require.ErrorIs(t, gone.Send("again"), reactor.ErrTerminated)
	require.Equal(t, uint64(2), sys.Stats().DeadLetters[reactor.ReasonTerminated])
}
