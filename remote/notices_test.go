package remote_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

// fixedServer starts a NATS server on 127.0.0.1:port; the returned stop
// shuts it down (idempotent; also called when the test ends).
func fixedServer(t *testing.T, port int) (stop func()) {
	t.Helper()
	s, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true})
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
	return remotetest.StartNode(t, sys, opts...)
}

func TestNoticesDisconnectReconnectClose(t *testing.T) {
	sys, _ := remotetest.System(t)
	port := remotetest.FreePorts(t, 1)[0]
	stop := fixedServer(t, port)
	n := urlNode(t, sys, port)

	stop()
	ev := remotetest.AwaitNotice(t, n, remote.NoticeDisconnected)
	require.Equal(t, "disconnected", ev.Kind.String())

	fixedServer(t, port)
	ev = remotetest.AwaitNotice(t, n, remote.NoticeReconnected)
	require.Contains(t, ev.URL, "127.0.0.1:"+strconv.Itoa(port))
	require.True(t, ev.Restarted, "a new server instance is reported as restarted")

	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, n.Close(ctx))
	remotetest.AwaitNotice(t, n, remote.NoticeClosed)
	_, open := <-n.Notices()
	require.False(t, open, "Notices is closed after NoticeClosed")
	require.Zero(t, n.NoticesLost())
}

func TestNoticesBufferFullCountsLost(t *testing.T) {
	sys, _ := remotetest.System(t)
	port := remotetest.FreePorts(t, 1)[0]
	stop := fixedServer(t, port)
	n := urlNode(t, sys, port, remote.WithNoticeBuffer(1))

	stop()
	fixedServer(t, port) // reconnects: disconnected, reconnected; only the first fits
	for deadline := time.Now().Add(wait); n.NoticesLost() == 0; time.Sleep(time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "reconnection not counted")
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, n.Close(ctx))
	ev := <-n.Notices()
	require.Equal(t, remote.NoticeDisconnected, ev.Kind)
	_, open := <-n.Notices()
	require.False(t, open)
	require.GreaterOrEqual(t, n.NoticesLost(), uint64(2), "reconnected and closed were counted, not queued")
}

func TestSlowConsumerSurfaced(t *testing.T) {
	sys, dead := remotetest.System(t)
	n := remotetest.StartNode(t, sys, remote.WithPendingLimits(1, -1))
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
	ev := remotetest.AwaitNotice(t, n, remote.NoticeSlowConsumer)
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
		case ev := <-n.Notices():
			if ev.Kind == remote.NoticeSlowConsumer {
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

func TestNoticesAsyncError(t *testing.T) {
	sys, _ := remotetest.System(t)
	s := remotetest.Server(t, func(o *natsserver.Options) {
		o.Users = []*natsserver.User{{Username: "u", Password: "p", Permissions: &natsserver.Permissions{
			Publish: &natsserver.SubjectPermission{Deny: []string{"reactors.secret"}},
		}}}
	})
	n := remotetest.StartNode(t, sys, remote.WithURL(s.ClientURL()), remote.WithUserInfo("u", "p"))
	out, err := remote.Channel[int](n, "secret")
	require.NoError(t, err)
	require.NoError(t, out.Send(1), "the connection takes it; the server refuses it asynchronously")
	ev := remotetest.AwaitNotice(t, n, remote.NoticeError)
	require.ErrorContains(t, ev.Err, "Permissions Violation")
	require.Equal(t, "error", ev.Kind.String())
}
