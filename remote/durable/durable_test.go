package durable_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/durable"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

func TestDurableRoundTrip(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a, _ := node(t, url)
	b, _ := node(t, url)
	_, out := export(t, b, "orders", durable.Config[int]{})
	ch := channel(t, a, "orders", durable.Config[int]{})
	require.Equal(t, "durable:orders", ch.Name())
	for i := range 100 {
		require.NoError(t, ch.Send(i))
	}
	require.Equal(t, seq(0, 100), receiveValues(t, out, 100))
	quiet(t, out, 100*time.Millisecond)
}

func TestSenderNodeClosedWithEventsNotTakenLosesNone(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a, _ := node(t, url)
	ch := channel(t, a, "backlog", durable.Config[int]{})
	for i := range 50 {
		require.NoError(t, ch.Send(i), "nobody exports the name yet: the stream keeps the events")
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, a.Close(ctx))
	require.ErrorIs(t, ch.Send(50), remote.ErrClosed)

	b, _ := node(t, url)
	_, out := export(t, b, "backlog", durable.Config[int]{})
	require.Equal(t, seq(0, 50), receiveValues(t, out, 50))
	quiet(t, out, 100*time.Millisecond)
}

// holdAfter spawns a reactor of sys that acknowledges the deliveries of
// values below limit and holds the others unacknowledged; it forwards
// every delivery to the returned Go channel.
func holdAfter(t *testing.T, sys *reactor.System, limit int) (reactor.Channel[durable.Delivery[int]], <-chan got) {
	t.Helper()
	out := make(chan got, 100)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[durable.Delivery[int]]) {
		r.Main().Events().OnEvent(func(d durable.Delivery[int]) {
			out <- got{d.Value, d.ID, d.Attempt}
			if d.Value < limit {
				d.Ack()
			}
		})
	})
	require.NoError(t, err)
	return ch, out
}

func TestExporterClosedAndReplacedLosesNone(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a, _ := node(t, url)
	b, _ := node(t, url)
	cfg := durable.Config[int]{MaxPending: 5, AckWait: 500 * time.Millisecond}
	ch := channel(t, a, "jobs", cfg)
	for i := range 20 {
		require.NoError(t, ch.Send(i))
	}
	// The first export acknowledges 0..9 and holds 10..14 unacknowledged;
	// with 5 pending at most, JetStream gives it nothing more.
	hold, first := holdAfter(t, b.System(), 10)
	x, err := durable.Export(t.Context(), b, "jobs", hold, cfg)
	require.NoError(t, err)
	require.Equal(t, seq(0, 15), receiveValues(t, first, 15))
	quiet(t, first, 3*cfg.AckWait) // the held ones do not come again while the export runs
	require.Equal(t, 5, x.Held())
	closeExport(t, x)

	// A new export, on another node, gets 15..19 at once and 10..14 after
	// the old export's AckWait, as second deliveries.
	c, _ := node(t, url)
	_, out := export(t, c, "jobs", cfg)
	var vs []int
	for range 10 {
		g := reactortest.Receive(t, out)
		vs = append(vs, g.Value)
		if g.Value < 15 {
			require.Equal(t, 2, g.Attempt, "%d was delivered once before", g.Value)
		} else {
			require.Equal(t, 1, g.Attempt)
		}
	}
	slices.Sort(vs)
	require.Equal(t, seq(10, 20), vs)
	quiet(t, out, 2*cfg.AckWait)
}

func TestExportAgainOnTheSameNode(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a, _ := node(t, url)
	ch := channel(t, a, "again", durable.Config[int]{})
	x, out := export(t, a, "again", durable.Config[int]{})
	require.NoError(t, ch.Send(1))
	require.Equal(t, 1, reactortest.Receive(t, out).Value)
	_, err := durable.Export(t.Context(), a, "again", collectOnly(t, a.System()), durable.Config[int]{})
	require.ErrorIs(t, err, remote.ErrDuplicateName)
	closeExport(t, x)
	closeExport(t, x) // idempotent
	require.NoError(t, ch.Send(2))
	_, out = export(t, a, "again", durable.Config[int]{})
	require.Equal(t, 2, reactortest.Receive(t, out).Value)
}

// collectOnly is a channel of sys that drops its deliveries.
func collectOnly(t *testing.T, sys *reactor.System) reactor.Channel[durable.Delivery[int]] {
	t.Helper()
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[durable.Delivery[int]]) {
		r.Main().Events().OnEvent(func(durable.Delivery[int]) {})
	})
	require.NoError(t, err)
	return ch
}

func TestSendersIDsRemoveDuplicates(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a, _ := node(t, url)
	cfg := durable.Config[int]{ID: strconv.Itoa}
	ch := channel(t, a, "ids", cfg)
	// A sender that restarts sends again what it had not seen stored:
	// the stream keeps one copy per id.
	for _, v := range []int{1, 2, 2, 3, 1, 3} {
		require.NoError(t, ch.Send(v))
	}
	_, out := export(t, a, "ids", cfg)
	for _, v := range []int{1, 2, 3} {
		g := reactortest.Receive(t, out)
		require.Equal(t, got{v, strconv.Itoa(v), 1}, g)
	}
	quiet(t, out, 100*time.Millisecond)
}

func TestDefaultIDsAreUniquePerSend(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a, _ := node(t, url)
	one := channel(t, a, "uniq", durable.Config[int]{})
	two := channel(t, a, "uniq", durable.Config[int]{})
	for _, ch := range []reactor.Channel[int]{one, two, one} {
		require.NoError(t, ch.Send(7))
	}
	_, out := export(t, a, "uniq", durable.Config[int]{})
	ids := map[string]bool{}
	for range 3 {
		g := reactortest.Receive(t, out)
		require.Equal(t, 7, g.Value)
		require.NotEmpty(t, g.ID)
		ids[g.ID] = true
	}
	require.Len(t, ids, 3, "equal values sent three times are three events")
}

func TestNakDeliversAgain(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a, _ := node(t, url)
	out := make(chan got, 10)
	ch, err := reactor.Spawn(a.System(), func(r *reactor.Reactor[durable.Delivery[int]]) {
		r.Main().Events().OnEvent(func(d durable.Delivery[int]) {
			out <- got{d.Value, d.ID, d.Attempt}
			if d.Attempt == 1 {
				d.Nak()
				d.Ack() // after Nak: nothing
				return
			}
			d.Ack()
			d.Nak() // after Ack: nothing
		})
	})
	require.NoError(t, err)
	x, err := durable.Export(t.Context(), a, "nak", ch, durable.Config[int]{})
	require.NoError(t, err)
	t.Cleanup(func() { closeExport(t, x) })
	require.NoError(t, channel(t, a, "nak", durable.Config[int]{}).Send(5))
	require.Equal(t, 1, reactortest.Receive(t, out).Attempt)
	require.Equal(t, 2, reactortest.Receive(t, out).Attempt)
	quiet(t, out, 200*time.Millisecond)
	durable.Delivery[int]{}.Ack() // the zero Delivery: nothing
	durable.Delivery[int]{}.Nak()
}

func TestSlowHandlerGetsNoSecondCopy(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a, _ := node(t, url)
	cfg := durable.Config[int]{AckWait: 200 * time.Millisecond}
	out := make(chan got, 10)
	release := make(chan struct{})
	held := make(chan durable.Delivery[int], 1)
	ch, err := reactor.Spawn(a.System(), func(r *reactor.Reactor[durable.Delivery[int]]) {
		r.Main().Events().OnEvent(func(d durable.Delivery[int]) {
			out <- got{d.Value, d.ID, d.Attempt}
			held <- d // acknowledged later, from a goroutine
		})
	})
	require.NoError(t, err)
	go func() {
		d := <-held
		<-release
		d.Ack()
	}()
	x, err := durable.Export(t.Context(), a, "slow", ch, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { closeExport(t, x) })
	require.NoError(t, channel(t, a, "slow", cfg).Send(1))
	require.Equal(t, 1, reactortest.Receive(t, out).Attempt)
	quiet(t, out, 6*cfg.AckWait) // six AckWaits held: extended, not delivered again
	close(release)
	quiet(t, out, 3*cfg.AckWait)
}

// jsServer starts a NATS server with JetStream on 127.0.0.1:port, storing
// in dir; stop shuts it down (idempotent; also called when the test
// ends). A server started again on the same port and dir has the streams
// and consumers back.
func jsServer(t *testing.T, port int, dir string) (stop func()) {
	t.Helper()
	s, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true,
		JetStream: true, StoreDir: dir})
	require.NoError(t, err)
	s.Start()
	require.True(t, s.ReadyForConnections(wait))
	stop = sync.OnceFunc(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	t.Cleanup(stop)
	return stop
}

func TestServerRestartLosesNone(t *testing.T) {
	const total = 2000
	port, dir := remotetest.FreePorts(t, 1)[0], t.TempDir()
	stop := jsServer(t, port, dir)
	url := "nats://127.0.0.1:" + strconv.Itoa(port)
	a, _ := node(t, url)
	b, _ := node(t, url)
	cfg := durable.Config[int]{AckWait: time.Second, Timeout: 4 * wait}

	var mu sync.Mutex
	counts := map[int]int{}
	var handled atomic.Int64
	reached := make(chan struct{})
	done := make(chan struct{})
	ch, err := reactor.Spawn(b.System(), func(r *reactor.Reactor[durable.Delivery[int]]) {
		r.Main().Events().OnEvent(func(d durable.Delivery[int]) {
			mu.Lock()
			counts[d.Value]++
			distinct := len(counts)
			mu.Unlock()
			d.Ack()
			switch h := handled.Add(1); {
			case h == total/4:
				close(reached)
			case distinct == total && h >= total:
				select {
				case <-done:
				default:
					close(done)
				}
			}
		})
	})
	require.NoError(t, err)
	x, err := durable.Export(t.Context(), b, "restart", ch, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { closeExport(t, x) })
	out := channel(t, a, "restart", cfg)

	sent := make(chan error, 1)
	go func() {
		for i := range total {
			if err := out.Send(i); err != nil {
				sent <- fmt.Errorf("send %d: %w", i, err)
				return
			}
		}
		sent <- nil
	}()
	reactortest.Receive(t, reached)
	stop()
	remotetest.AwaitNotice(t, a, remote.NoticeDisconnected)
	jsServer(t, port, dir)
	require.True(t, remotetest.AwaitNotice(t, a, remote.NoticeReconnected).Restarted)
	require.NoError(t, receiveWithin(t, sent, 4*wait))
	receiveWithin(t, done, 4*wait)
	// Deliveries that JetStream repeats after the restart come within an
	// AckWait or two: none may reach the handler again.
	time.Sleep(3 * cfg.AckWait)
	closeExport(t, x) // before the restarted server stops (cleanups run last first)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, counts, total)
	for v, c := range counts {
		require.Equal(t, 1, c, "event %d handled %d times", v, c)
	}
	require.Equal(t, int64(total), handled.Load())
}

// receiveWithin returns the next value of ch, failing the test after d.
func receiveWithin[T any](t *testing.T, ch <-chan T, d time.Duration) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		t.Fatalf("nothing within %v", d)
		panic("unreachable")
	}
}

func TestNodeCloseStopsItsExports(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a, _ := node(t, url)
	b, _ := node(t, url)
	cfg := durable.Config[int]{AckWait: 300 * time.Millisecond}
	ch := channel(t, a, "node-close", cfg)
	hold, first := holdAfter(t, b.System(), 2)
	x, err := durable.Export(t.Context(), b, "node-close", hold, cfg)
	require.NoError(t, err)
	for i := range 4 {
		require.NoError(t, ch.Send(i))
	}
	require.Equal(t, seq(0, 4), receiveValues(t, first, 4))
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, b.Close(ctx)) // stops the export first: goleak checks its goroutines
	require.NoError(t, x.Close(ctx), "closing an export of a closed node is a no-op")

	// 2 and 3 were handed over and never acknowledged: the next export
	// gets them after the AckWait.
	require.NoError(t, ch.Send(4))
	c, _ := node(t, url)
	_, out := export(t, c, "node-close", cfg)
	vs := receiveValues(t, out, 3)
	slices.Sort(vs)
	require.Equal(t, []int{2, 3, 4}, vs)
	quiet(t, out, 2*cfg.AckWait)
}
