package remote_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

func TestAtLeastOnceWindowFull(t *testing.T) {
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
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
	_, got := remotetest.Export[int](t, n, "win", 100, remote.WithAtLeastOnce[int](remote.AtLeastOnce{}))
	for i := 1; i <= window; i++ {
		require.Equal(t, i, reactortest.Receive(t, got))
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
	require.Equal(t, window+1, reactortest.Receive(t, got))
	select {
	case v := <-got:
		t.Fatalf("unexpected event %d (duplicate?)", v)
	default:
	}
}

func TestAtLeastOnceServerRestart(t *testing.T) {
	const total = 100_000
	port := remotetest.FreePorts(t, 1)[0]
	stop := fixedServer(t, port)
	sysA, _ := remotetest.System(t)
	sysB, deadB := remotetest.System(t)
	a := urlNode(t, sysA, port, remote.WithName("sender"))
	// The exporter holds fewer messages than the window: while its handler
	// is held, the connection drops the rest, which must come again.
	b := urlNode(t, sysB, port, remote.WithName("exporter"), remote.WithPendingLimits(512, -1))

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

	// The waits below last as long as the stream takes on a slow or busy
	// machine (minutes under -race on two loaded cores); they fail only
	// when the handler stops moving for a hang bound.
	handled := next.Load
	progressing(t, reached, handled, "the stream before the restart")
	require.Positive(t, remotetest.AwaitNotice(t, b, remote.NoticeSlowConsumer).Count, "events were lost while the handler was held")
	stop()
	remotetest.AwaitNotice(t, a, remote.NoticeDisconnected)
	remotetest.AwaitNotice(t, b, remote.NoticeDisconnected)
	release()
	fixedServer(t, port)
	require.True(t, remotetest.AwaitNotice(t, a, remote.NoticeReconnected).Restarted)
	require.True(t, remotetest.AwaitNotice(t, b, remote.NoticeReconnected).Restarted)

	require.NoError(t, progressing(t, sendErr, handled, "the sender after the restart"))
	progressing(t, done, handled, "the stream's end")
	select {
	case msg := <-firstWrong:
		t.Fatalf("%d events out of order or duplicated; first: %s", wrong.Load(), msg)
	default:
	}
	require.Equal(t, int64(total+1), next.Load())
	for drained := false; !drained; {
		select {
		case d := <-deadB:
			_, dropped := d.Event.(remote.Dropped)
			require.True(t, dropped, "unexpected dead letter %+v", d)
		default:
			drained = true
		}
	}
}

// stallBound is how long progressing lets the work stand still before it
// calls it a hang: longer than a reconnection and its resends take.
const stallBound = 3 * wait

// progressing waits for a value from done while progress keeps moving,
// and fails only when progress stood still for stallBound, however long
// the whole wait takes.
func progressing[T any](t *testing.T, done <-chan T, progress func() int64, what string) T {
	t.Helper()
	tick := time.NewTicker(stallBound / 30)
	defer tick.Stop()
	last, moved := progress(), time.Now()
	for {
		select {
		case v := <-done:
			return v
		case <-tick.C:
			if p := progress(); p != last {
				last, moved = p, time.Now()
			} else if time.Since(moved) >= stallBound {
				t.Fatalf("%s: stuck at %d for %v", what, p, stallBound)
			}
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
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	_, got := remotetest.Export[int](t, n, "dedup", 100, remote.WithAtLeastOnce[int](remote.AtLeastOnce{}))
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
		require.Equal(t, want, reactortest.Receive(t, got))
	}
	for a := uint64(0); a != 4; {
		a = reactortest.Receive(t, acks)
		require.LessOrEqual(t, a, uint64(4), "acknowledged only what was handed over")
	}

	// Another sender that an earlier exporter had served up to 99 starts at
	// its base.
	other := nats.NewInbox()
	rawALO(t, n, "reactors.dedup", other, 100, 100, 1000)
	rawALO(t, n, "reactors.dedup", other, 100, 100, 1000)
	rawALO(t, n, "reactors.dedup", other, 101, 100, 1010)
	require.Equal(t, 1000, reactortest.Receive(t, got))
	require.Equal(t, 1010, reactortest.Receive(t, got))

	// An event without sequence headers is handed over as it comes.
	require.NoError(t, n.Conn().Publish("reactors.dedup", []byte("7")))
	require.Equal(t, 7, reactortest.Receive(t, got))
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
	n, err := remote.Start(b.Context(), sys)
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
	sys, dead := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	out, err := remote.Channel[int](n, "nobody", remote.WithAtLeastOnce[int](remote.AtLeastOnce{}))
	require.NoError(t, err)
	for i := 1; i <= 3; i++ {
		require.NoError(t, out.Send(i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, n.Close(ctx))
	for seq := uint64(1); seq <= 3; seq++ {
		d := reactortest.Receive(t, dead)
		require.Equal(t, reactor.ReasonShutdown, d.Reason)
		u, ok := d.Event.(remote.Unacknowledged)
		require.True(t, ok, "%T", d.Event)
		require.Equal(t, remote.Unacknowledged{Name: "nobody", Seq: seq, Data: []byte(strconv.FormatUint(seq, 10))}, u)
	}
	require.ErrorIs(t, out.Send(4), remote.ErrClosed)
}

func TestAtLeastOnceExporterRestart(t *testing.T) {
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	const window = 10
	alo := remote.WithAtLeastOnce[int](remote.AtLeastOnce{Window: window, Retry: 20 * time.Millisecond})
	out, err := remote.Channel[int](n, "restarted", alo)
	require.NoError(t, err)
	ch, got := remotetest.Collect[int](t, sys, 100)
	exp, err := remote.Export(n, "restarted", ch, alo)
	require.NoError(t, err)
	for i := 1; i <= window; i++ {
		require.NoError(t, out.Send(i))
	}
	for i := 1; i <= window; i++ {
		require.Equal(t, i, reactortest.Receive(t, got))
	}
	require.NoError(t, exp.Close())

	// Room comes back as 1..10 are acknowledged; 11..20 go out with
	// nobody exporting the name.
	for i := window + 1; i <= 2*window; i++ {
		sendRetry(t, out, i)
	}
	require.ErrorIs(t, out.Send(2*window+1), remote.ErrWindowFull)

	// A new export (no memory of the sender) takes it up at its base.
	_, err = remote.Export(n, "restarted", ch, alo)
	require.NoError(t, err)
	for i := window + 1; i <= 2*window; i++ {
		require.Equal(t, i, reactortest.Receive(t, got))
	}
	select { // five retransmission periods: no duplicate comes
	case v := <-got:
		t.Fatalf("unexpected event %d", v)
	case <-time.After(100 * time.Millisecond):
	}
}

// sendRetry sends v, trying again while the window is full.
func sendRetry(t *testing.T, out reactor.Channel[int], v int) {
	t.Helper()
	for deadline := time.Now().Add(wait); ; time.Sleep(time.Millisecond) {
		err := out.Send(v)
		if err == nil {
			return
		}
		require.ErrorIs(t, err, remote.ErrWindowFull)
		require.True(t, time.Now().Before(deadline), "no room in the window for %d", v)
	}
}
