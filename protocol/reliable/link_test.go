package reliable_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/protocol/reliable"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// relActor is a reactor whose main channel carries closures, so that a test
// can act inside it.
type relActor reactor.Channel[func(reactor.Owner)]

func relSpawnActor(t *testing.T, sys *reactor.System) relActor {
	t.Helper()
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[func(reactor.Owner)]) {
		r.Main().Events().OnEvent(func(f func(reactor.Owner)) { f(r) })
	})
	require.NoError(t, err)
	return relActor(ch)
}

// do runs f inside the relActor and returns when it has run.
func (a relActor) do(t *testing.T, f func(o reactor.Owner)) {
	t.Helper()
	ran := make(chan struct{})
	require.NoError(t, reactor.Channel[func(reactor.Owner)](a).Send(func(o reactor.Owner) { f(o); close(ran) }))
	<-ran
}

func relSystem(t *testing.T) *reactor.System {
	t.Helper()
	sys := reactor.New(reactor.WithLogger(zerolog.Nop()))
	t.Cleanup(func() { require.NoError(t, sys.Shutdown(context.Background())) })
	return sys
}

// reliablePair wires a reliable link of ints from tx to rx through
// data and ack paths made by wrap, and returns the sending end and a
// channel that gets nil once n values arrived in order, or the first
// error.
func reliablePair(t *testing.T, sys *reactor.System, cfg reliable.Config, n int,
	wrapData func(reactor.Channel[reliable.Frame[int]]) reactor.Channel[reliable.Frame[int]],
	wrapAck func(reactor.Channel[reliable.Ack]) reactor.Channel[reliable.Ack],
) (tx relActor, link *reliable.Sender[int], done chan error) {
	t.Helper()
	rx := relSpawnActor(t, sys)
	tx = relSpawnActor(t, sys)
	var conn *reactor.Connector[reliable.Frame[int]]
	rx.do(t, func(o reactor.Owner) {
		var err error
		conn, err = reactor.Open[reliable.Frame[int]](o)
		require.NoError(t, err)
	})
	tx.do(t, func(o reactor.Owner) {
		var err error
		link, err = reliable.Open(o, wrapData(conn.Channel()), cfg)
		require.NoError(t, err)
	})
	done = make(chan error, 2)
	rx.do(t, func(o reactor.Owner) {
		k := reliable.Serve(o, conn, wrapAck(link.Acks()), cfg)
		next := 0
		k.Events().OnEvent(func(v int) {
			switch {
			case v != next:
				done <- fmt.Errorf("delivered %d, want %d", v, next)
			case next == n-1:
				done <- nil
			}
			next++
		})
	})
	return tx, link, done
}

func relWait(t *testing.T, done chan error) {
	t.Helper()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(2 * time.Minute):
		t.Fatal("the link stalled")
	}
}

func TestReliableLosslessTransport(t *testing.T) {
	sys := relSystem(t)
	id := func(c reactor.Channel[reliable.Frame[int]]) reactor.Channel[reliable.Frame[int]] { return c }
	idAck := func(c reactor.Channel[reliable.Ack]) reactor.Channel[reliable.Ack] { return c }
	tx, link, done := reliablePair(t, sys, reliable.Config{Window: 4}, 100, id, idAck)
	tx.do(t, func(reactor.Owner) {
		for i := range 50 {
			require.NoError(t, link.Send(i))
		}
		require.LessOrEqual(t, link.Unacked(), 50)
	})
	for i := 50; i < 100; i++ { // through the link's own channel
		require.NoError(t, link.Channel().Send(i))
	}
	relWait(t, done)
}

// The test: a reliable link delivers a million events in order,
// exactly once, when both its data and its acknowledgements are dropped,
// duplicated and reordered at random. Under the race detector it sends
// fewer events (raceEnabled).
func TestReliableMillionUnderFaults(t *testing.T) {
	n := 1_000_000
	if raceEnabled {
		n = 200_000
	}
	script := func(seed uint64) reactortest.Script {
		return reactortest.Chain(
			reactortest.Drop(0.02, seed),
			reactortest.Duplicate(0.02, seed+1),
			reactortest.Reorder(8, seed+2),
		)
	}
	var data *reactortest.Faulty[reliable.Frame[int]]
	var acks *reactortest.Faulty[reliable.Ack]
	sys := relSystem(t)
	cfg := reliable.Config{Window: 4096, Retransmit: time.Millisecond}
	tx, link, done := reliablePair(t, sys, cfg, n,
		func(c reactor.Channel[reliable.Frame[int]]) reactor.Channel[reliable.Frame[int]] {
			data = reactortest.NewFaulty(c, script(1))
			return data.Channel()
		},
		func(c reactor.Channel[reliable.Ack]) reactor.Channel[reliable.Ack] {
			acks = reactortest.NewFaulty(c, script(11))
			return acks.Channel()
		})
	start := time.Now()
	tx.do(t, func(reactor.Owner) {
		for i := range n {
			require.NoError(t, link.Send(i))
		}
	})
	relWait(t, done)
	elapsed := time.Since(start)
	ds, as := data.Stats(), acks.Stats()
	t.Logf("%d events in %v; frames: sent %d dropped %d duplicated %d; acks: sent %d dropped %d duplicated %d",
		n, elapsed, ds.Sent, ds.Dropped, ds.Duplicated, as.Sent, as.Dropped, as.Duplicated)
	require.NotZero(t, ds.Dropped)
	require.NotZero(t, as.Dropped)
	require.NoError(t, data.Err())
	require.NoError(t, acks.Err())
}

func TestReliableClose(t *testing.T) {
	sys := relSystem(t)
	rx := relSpawnActor(t, sys)
	tx := relSpawnActor(t, sys)
	var conn *reactor.Connector[reliable.Frame[int]]
	rx.do(t, func(o reactor.Owner) {
		var err error
		conn, err = reactor.Open[reliable.Frame[int]](o)
		require.NoError(t, err)
	})
	tx.do(t, func(o reactor.Owner) {
		link, err := reliable.Open(o, conn.Channel(), reliable.Config{})
		require.NoError(t, err)
		link.Close()
		link.Close()
		require.ErrorIs(t, link.Send(1), reliable.ErrClosed)
		require.ErrorIs(t, link.Channel().Send(1), reactor.ErrSealed)
	})
	// The receiving end is gone: the first frame closes the link.
	rx.do(t, func(reactor.Owner) { conn.Seal() })
	tx.do(t, func(o reactor.Owner) {
		link, err := reliable.Open(o, conn.Channel(), reliable.Config{})
		require.NoError(t, err)
		require.NoError(t, link.Send(1))
		require.ErrorIs(t, link.Err(), reliable.ErrClosed)
		require.ErrorIs(t, link.Err(), reactor.ErrSealed)
		require.ErrorIs(t, link.Send(2), reactor.ErrSealed)
	})
}
