package remote_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
)

// freePort returns a port of 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// fixedServer starts a NATS server on 127.0.0.1:port; the returned stop
// shuts it down (idempotent; also called when the test ends).
func fixedServer(t *testing.T, port int) (stop func()) {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true})
	require.NoError(t, err)
	s.Start()
	require.True(t, s.ReadyForConnections(wait))
	stop = func() {
		s.Shutdown()
		s.WaitForShutdown()
	}
	t.Cleanup(stop)
	return stop
}

// urlNode starts a node connected by URL to 127.0.0.1:port, reconnecting
// every 10 ms without giving up.
func urlNode(t *testing.T, sys *reactor.System, port int, opts ...remote.Option) *remote.Node {
	t.Helper()
	opts = append([]remote.Option{remote.WithURL("nats://127.0.0.1:" + strconv.Itoa(port)),
		remote.WithReconnect(10*time.Millisecond, -1)}, opts...)
	return startNode(t, sys, opts...)
}

// awaitEvent returns the next event of n of kind k, skipping others,
// failing the test after wait.
func awaitEvent(t *testing.T, n *remote.Node, k remote.EventKind) remote.Event {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case ev, ok := <-n.Events():
			require.True(t, ok, "events closed while waiting for %v", k)
			if ev.Kind == k {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %v event after %v", k, wait)
		}
	}
}

func TestEventsDisconnectReconnectClose(t *testing.T) {
	sys, _ := newSystem(t)
	port := freePort(t)
	stop := fixedServer(t, port)
	n := urlNode(t, sys, port)

	stop()
	ev := awaitEvent(t, n, remote.EventDisconnected)
	require.Equal(t, "disconnected", ev.Kind.String())

	fixedServer(t, port)
	ev = awaitEvent(t, n, remote.EventReconnected)
	require.Contains(t, ev.URL, "127.0.0.1:"+strconv.Itoa(port))
	require.True(t, ev.Restarted, "a new server instance is reported as restarted")

	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, n.Close(ctx))
	awaitEvent(t, n, remote.EventClosed)
	_, open := <-n.Events()
	require.False(t, open, "Events is closed after EventClosed")
	require.Zero(t, n.EventsLost())
}

func TestEventsBufferFullCountsLost(t *testing.T) {
	sys, _ := newSystem(t)
	port := freePort(t)
	stop := fixedServer(t, port)
	n := urlNode(t, sys, port, remote.WithEventBuffer(1))

	stop()
	fixedServer(t, port) // reconnects: disconnected, reconnected; only the first fits
	for deadline := time.Now().Add(wait); n.EventsLost() == 0; time.Sleep(time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "reconnection not counted")
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, n.Close(ctx))
	ev := <-n.Events()
	require.Equal(t, remote.EventDisconnected, ev.Kind)
	_, open := <-n.Events()
	require.False(t, open)
	require.GreaterOrEqual(t, n.EventsLost(), uint64(2), "reconnected and closed were counted, not queued")
}

func TestSlowConsumerSurfaced(t *testing.T) {
	sys, dead := newSystem(t)
	n := startNode(t, sys, remote.WithPendingLimits(1, -1))
	release := make(chan struct{})
	var handled atomic.Int64
	got := make(chan int, 1000)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) {
			if v == 0 {
				<-release // holds the export's delivery goroutine
			}
			handled.Add(1)
			got <- v
		})
	})
	require.NoError(t, err)
	exp, err := remote.Export(n, "slow", ch)
	require.NoError(t, err)
	out, err := remote.Channel[int](n, "slow")
	require.NoError(t, err)

	const total = 100
	for i := range total {
		require.NoError(t, out.Send(i))
	}
	require.NoError(t, n.Conn().Flush()) // every message has reached the connection
	ev := awaitEvent(t, n, remote.EventSlowConsumer)
	require.Equal(t, "slow", ev.Name)
	require.Equal(t, "reactors.slow", ev.Subject)
	require.Positive(t, ev.Count)
	dropped := ev.Count
	close(release)

	// Sentinels -1, -2, ... until the latest one gets through: everything
	// sent before it has then been handed over or dropped.
	sent := 0
	for through := false; !through; {
		require.Less(t, sent, 100, "no sentinel got through")
		sent++
		require.NoError(t, out.Send(-sent))
		require.NoError(t, n.Conn().Flush())
		through = awaitValue(got, -sent, 100*time.Millisecond)
	}
	require.NoError(t, exp.Close()) // reports the drops not reported yet
	for drained := false; !drained; {
		select {
		case ev := <-n.Events():
			if ev.Kind == remote.EventSlowConsumer {
				dropped += ev.Count
			}
		default:
			drained = true
		}
	}
	require.Equal(t, int64(total+sent), handled.Load()+int64(dropped), "every message is handled or reported dropped")

	letters := 0
	for drained := false; !drained; {
		select {
		case d := <-dead:
			if drop, ok := d.Event.(remote.Dropped); ok {
				require.Equal(t, reactor.ReasonOverflow, d.Reason)
				require.Equal(t, "slow", drop.Name)
				letters += drop.Count
			}
		default:
			drained = true
		}
	}
	require.Equal(t, dropped, letters, "drops are dead-lettered with their count")
}

func TestAtLeastOnceWindowFull(t *testing.T) {
	sys, _ := newSystem(t)
	n := startNode(t, sys)
	const window = 4
	out, err := remote.Channel[int](n, "win", remote.WithAtLeastOnce[int](remote.AtLeastOnce{
		Window: window, Block: 50 * time.Millisecond, Retry: 20 * time.Millisecond}))
	require.NoError(t, err)
	for i := 1; i <= window; i++ {
		require.NoError(t, out.Send(i), "room in the window")
	}
	start := time.Now()
	err = out.Send(window + 1)
	require.ErrorIs(t, err, remote.ErrWindowFull)
	require.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond, "Send waited Block for room")

	failFast, err := remote.Channel[int](n, "win2", remote.WithAtLeastOnce[int](remote.AtLeastOnce{Window: 1}))
	require.NoError(t, err)
	require.NoError(t, failFast.Send(1))
	require.ErrorIs(t, failFast.Send(2), remote.ErrWindowFull, "Block 0: fails at once")

	// An exporter appears: the window's events are resent and acknowledged.
	ch, got := collect[int](t, sys, 100)
	_, err = remote.Export(n, "win", ch, remote.WithAtLeastOnce[int](remote.AtLeastOnce{}))
	require.NoError(t, err)
	for i := 1; i <= window; i++ {
		require.Equal(t, i, receive(t, got))
	}
	deadline := time.Now().Add(wait)
	for {
		err := out.Send(window + 1)
		if err == nil {
			break
		}
		require.ErrorIs(t, err, remote.ErrWindowFull)
		require.True(t, time.Now().Before(deadline), "no room after the acknowledgements")
	}
	require.Equal(t, window+1, receive(t, got))
	select {
	case v := <-got:
		t.Fatalf("unexpected event %d (duplicate?)", v)
	default:
	}
}

func TestAtLeastOnceServerRestart(t *testing.T) {
	const total = 100_000
	port := freePort(t)
	stop := fixedServer(t, port)
	sysA, _ := newSystem(t)
	sysB, deadB := newSystem(t)
	a := urlNode(t, sysA, port, remote.WithName("sender"))
	b := urlNode(t, sysB, port, remote.WithName("exporter"))

	var next atomic.Int64 // the next value the handler expects
	next.Store(1)
	var wrong atomic.Int64
	firstWrong := make(chan string, 1)
	reached := make(chan struct{})
	resume := make(chan struct{})
	release := sync.OnceFunc(func() { close(resume) })
	t.Cleanup(release) // a failed test must not leave the handler waiting
	done := make(chan struct{})
	ch, err := reactor.Spawn(sysB, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) {
			want := next.Load()
			if int64(v) != want {
				wrong.Add(1)
				select {
				case firstWrong <- fmt.Sprintf("got %d, want %d", v, want):
				default:
				}
				if int64(v) < want {
					return // a duplicate: the expected value has not moved
				}
			}
			next.Store(int64(v) + 1)
			switch v {
			case total / 5:
				close(reached)
				<-resume // the stream is mid-flight while the server restarts
			case total:
				close(done)
			}
		})
	})
	require.NoError(t, err)
	alo := remote.WithAtLeastOnce[int](remote.AtLeastOnce{Window: 1024, Block: wait, Retry: 50 * time.Millisecond})
	_, err = remote.Export(b, "stream", ch, alo)
	require.NoError(t, err)
	out, err := remote.Channel[int](a, "stream", alo)
	require.NoError(t, err)
	// The export's interest must reach the server before the stream starts.
	require.NoError(t, b.Conn().Flush())

	sendErr := make(chan error, 1)
	go func() {
		for i := 1; i <= total; i++ {
			if err := out.Send(i); err != nil {
				sendErr <- fmt.Errorf("send %d: %w", i, err)
				return
			}
		}
		sendErr <- nil
	}()

	select {
	case <-reached:
	case <-time.After(3 * wait):
		t.Fatalf("stream stalled at %d before the restart", next.Load())
	}
	stop()
	awaitEvent(t, a, remote.EventDisconnected)
	awaitEvent(t, b, remote.EventDisconnected)
	release()
	fixedServer(t, port)
	require.True(t, awaitEvent(t, a, remote.EventReconnected).Restarted)
	require.True(t, awaitEvent(t, b, remote.EventReconnected).Restarted)

	select {
	case err := <-sendErr:
		require.NoError(t, err)
	case <-time.After(6 * wait):
		t.Fatalf("sender stuck; handler at %d", next.Load())
	}
	select {
	case <-done:
	case <-time.After(3 * wait):
		t.Fatalf("stream incomplete: handler at %d of %d", next.Load()-1, total)
	}
	select {
	case msg := <-firstWrong:
		t.Fatalf("%d events out of order or duplicated; first: %s", wrong.Load(), msg)
	default:
	}
	require.Equal(t, int64(total+1), next.Load())
	select {
	case d := <-deadB:
		t.Fatalf("unexpected dead letter %+v", d)
	default:
	}
}

// awaitValue consumes ch until it yields want (true) or d passes (false).
func awaitValue(ch <-chan int, want int, d time.Duration) bool {
	timeout := time.After(d)
	for {
		select {
		case v := <-ch:
			if v == want {
				return true
			}
		case <-timeout:
			return false
		}
	}
}

// rawALO publishes an at-least-once event as a sender with acknowledgement
// inbox reply would: the wire format of WithAtLeastOnce.
func rawALO(t *testing.T, n *remote.Node, subject, reply string, seq, base uint64, v int) {
	t.Helper()
	m := &nats.Msg{Subject: subject, Reply: reply, Data: []byte(strconv.Itoa(v)), Header: nats.Header{
		"Reactors-Seq":  {strconv.FormatUint(seq, 10)},
		"Reactors-Base": {strconv.FormatUint(base, 10)},
	}}
	require.NoError(t, n.Conn().PublishMsg(m))
}

func TestAtLeastOnceExportRemovesDuplicatesAndGaps(t *testing.T) {
	sys, _ := newSystem(t)
	n := startNode(t, sys)
	ch, got := collect[int](t, sys, 100)
	_, err := remote.Export(n, "dedup", ch, remote.WithAtLeastOnce[int](remote.AtLeastOnce{}))
	require.NoError(t, err)
	acks := make(chan uint64, 100)
	inbox := nats.NewInbox()
	sub, err := n.Conn().Subscribe(inbox, func(m *nats.Msg) {
		v, err := strconv.ParseUint(string(m.Data), 10, 64)
		if err == nil {
			acks <- v
		}
	})
	require.NoError(t, err)
	defer func() { require.NoError(t, sub.Unsubscribe()) }()
	require.NoError(t, n.Conn().Flush())

	// 1, 1 (duplicate), 3 (after a gap: dropped), 2, 3, 2 (duplicate), 4.
	for _, seq := range []uint64{1, 1, 3, 2, 3, 2, 4} {
		rawALO(t, n, "reactors.dedup", inbox, seq, 1, int(seq)*10)
	}
	for _, want := range []int{10, 20, 30, 40} {
		require.Equal(t, want, receive(t, got))
	}
	for a := uint64(0); a != 4; {
		a = receive(t, acks)
		require.LessOrEqual(t, a, uint64(4), "acknowledged only what was handed over")
	}

	// Another sender that an earlier exporter had served up to 99 starts at
	// its base.
	other := nats.NewInbox()
	rawALO(t, n, "reactors.dedup", other, 100, 100, 1000)
	rawALO(t, n, "reactors.dedup", other, 100, 100, 1000)
	rawALO(t, n, "reactors.dedup", other, 101, 100, 1010)
	require.Equal(t, 1000, receive(t, got))
	require.Equal(t, 1010, receive(t, got))

	// An event without sequence headers is handed over as it comes.
	require.NoError(t, n.Conn().Publish("reactors.dedup", []byte("7")))
	require.Equal(t, 7, receive(t, got))
	select {
	case v := <-got:
		t.Fatalf("unexpected event %d", v)
	default:
	}
}

// BenchmarkAtLeastOnce measures an at-least-once stream of small events
// through the embedded server, from Send to the exporter's handler.
func BenchmarkAtLeastOnce(b *testing.B) {
	sys := reactor.New(reactor.WithLogger(zerolog.Nop()))
	defer func() { _ = sys.Shutdown(context.Background()) }()
	n, err := remote.Start(sys)
	require.NoError(b, err)
	defer func() { _ = n.Close(context.Background()) }()
	var count atomic.Int64
	done := make(chan struct{})
	total := int64(b.N)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) {
			if count.Add(1) == total {
				close(done)
			}
		})
	})
	require.NoError(b, err)
	alo := remote.WithAtLeastOnce[int](remote.AtLeastOnce{Block: wait})
	_, err = remote.Export(n, "bench", ch, alo)
	require.NoError(b, err)
	out, err := remote.Channel[int](n, "bench", alo)
	require.NoError(b, err)
	b.ResetTimer()
	for i := range b.N {
		if err := out.Send(i); err != nil {
			b.Fatal(err)
		}
	}
	<-done
}

func TestAtLeastOnceCloseDeadLettersUnacknowledged(t *testing.T) {
	sys, dead := newSystem(t)
	n := startNode(t, sys)
	out, err := remote.Channel[int](n, "nobody", remote.WithAtLeastOnce[int](remote.AtLeastOnce{}))
	require.NoError(t, err)
	for i := 1; i <= 3; i++ {
		require.NoError(t, out.Send(i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, n.Close(ctx))
	for seq := uint64(1); seq <= 3; seq++ {
		d := receive(t, dead)
		require.Equal(t, reactor.ReasonShutdown, d.Reason)
		u, ok := d.Event.(remote.Unacknowledged)
		require.True(t, ok, "%T", d.Event)
		require.Equal(t, remote.Unacknowledged{Name: "nobody", Seq: seq, Data: []byte(strconv.FormatUint(seq, 10))}, u)
	}
	require.ErrorIs(t, out.Send(4), remote.ErrClosed)
}
