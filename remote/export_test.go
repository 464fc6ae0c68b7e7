package remote_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

// TestUndecodable: a payload the codec cannot decode is dead-lettered with
// ReasonUndecodable and the codec's error; later events still arrive.
func TestUndecodable(t *testing.T) {
	sys, dead := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	_, got := remotetest.Export[point](t, n, "points", 1)
	subj, err := remote.Subject(n.Namespace(), "points")
	require.NoError(t, err)

	require.NoError(t, n.Conn().Publish(subj, []byte("not json")))
	d := reactortest.Receive(t, dead)
	require.Equal(t, reactor.ReasonUndecodable, d.Reason)
	require.Equal(t, "remote:points", d.Channel)
	u, ok := d.Event.(remote.Undecodable)
	require.True(t, ok, "%T", d.Event)
	require.Equal(t, "points", u.Name)
	require.Equal(t, "reactors.points", u.Subject)
	require.Equal(t, []byte("not json"), u.Data)
	require.ErrorIs(t, u.Err, remote.ErrDecode)
	var syn *json.SyntaxError
	require.ErrorAs(t, u.Err, &syn)

	require.NoError(t, n.Conn().Publish(subj, []byte(`{"X":"wrong type"}`)))
	require.Equal(t, reactor.ReasonUndecodable, reactortest.Receive(t, dead).Reason)

	remotetest.SendArrives(t, n, "points", point{X: 1}, got)
	require.Equal(t, uint64(2), sys.Stats().DeadLetters[reactor.ReasonUndecodable])
}

// TestExportToTerminated: an event for an exported channel whose reactor
// has terminated is dead-lettered by the runtime, as a local send is.
func TestExportToTerminated(t *testing.T) {
	sys, dead := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	local, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) { r.Main().Seal() })
	require.NoError(t, err)
	select {
	case <-local.Done():
	case <-dead:
		t.Fatal("dead letter before any send")
	}
	_, err = remote.Export(n, "gone", local)
	require.NoError(t, err)
	ch, err := remote.Channel[int](n, "gone")
	require.NoError(t, err)
	require.NoError(t, ch.Send(5))
	d := reactortest.Receive(t, dead)
	require.Equal(t, reactor.ReasonTerminated, d.Reason)
	require.Equal(t, 5, d.Event)
}

// TestExportFullMailbox: an event refused by a full Fail mailbox is
// dead-lettered with ReasonOverflow.
func TestExportFullMailbox(t *testing.T) {
	sys, dead := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	release := make(chan struct{})
	local, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) { <-release })
	}, reactor.WithMain(reactor.Bounded(1, reactor.Fail)))
	require.NoError(t, err)
	defer close(release)
	_, err = remote.Export(n, "small", local)
	require.NoError(t, err)
	ch, err := remote.Channel[int](n, "small")
	require.NoError(t, err)
	// 0 is taken by the handler, which blocks; 1 fills the mailbox; the
	// rest overflow.
	for i := range 5 {
		require.NoError(t, ch.Send(i))
	}
	d := reactortest.Receive(t, dead)
	require.Equal(t, reactor.ReasonOverflow, d.Reason)
	require.Equal(t, "remote:small", d.Channel)
}

func TestDuplicateExport(t *testing.T) {
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	local, got := remotetest.Collect[int](t, sys, 1)
	e, err := remote.Export(n, "dup", local)
	require.NoError(t, err)
	_, err = remote.Export(n, "dup", local)
	require.ErrorIs(t, err, remote.ErrDuplicateName)
	_, err = remote.Export(n, "dup", reactor.Channel[int]{})
	require.ErrorIs(t, err, reactor.ErrNilChannel)

	require.NoError(t, e.Close())
	require.NoError(t, e.Close())
	e2, err := remote.Export(n, "dup", local)
	require.NoError(t, err)
	remotetest.SendArrives(t, n, "dup", 3, got)
	require.NoError(t, e2.Close())
}

// TestExportClose: once Close returns, the export hands nothing more to
// its channel.
func TestExportClose(t *testing.T) {
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	local, got := remotetest.Collect[int](t, sys, 10)
	e, err := remote.Export(n, "closing", local)
	require.NoError(t, err)
	ch, err := remote.Channel[int](n, "closing")
	require.NoError(t, err)
	require.NoError(t, ch.Send(1))
	require.Equal(t, 1, reactortest.Receive(t, got))
	require.NoError(t, e.Close())
	require.NoError(t, ch.Send(2))
	require.NoError(t, n.Conn().Flush())
	require.NoError(t, local.Send(3)) // a marker behind anything delivered
	require.Equal(t, 3, reactortest.Receive(t, got))
}

// TestNodeClose: after Close the node refuses everything with ErrClosed,
// and every goroutine it started (connection, subscriptions, embedded
// server) has ended.
func TestNodeClose(t *testing.T) {
	sys, _ := remotetest.System(t)
	before := goleak.IgnoreCurrent()
	n, err := remote.Start(t.Context(), sys)
	require.NoError(t, err)
	local, _ := remotetest.Collect[int](t, sys, 1)
	_, err = remote.Export(n, "a", local)
	require.NoError(t, err)
	ch, err := remote.Channel[int](n, "a")
	require.NoError(t, err)

	require.NoError(t, n.Close(context.Background()))
	require.ErrorIs(t, n.Close(context.Background()), remote.ErrClosed)
	require.ErrorIs(t, ch.Send(1), remote.ErrClosed)
	_, err = remote.Export(n, "b", local)
	require.ErrorIs(t, err, remote.ErrClosed)
	require.False(t, n.Server().Running())
	goleak.VerifyNone(t, before)
}

// TestNodeCloseDeadline: a delivery waiting for room in a full Block
// mailbox holds Close back until Close's context ends; then the waiting
// event is dead-lettered with ReasonShutdown and Close reports the
// context's error.
func TestNodeCloseDeadline(t *testing.T) {
	sys, dead := remotetest.System(t)
	n, err := remote.Start(t.Context(), sys)
	require.NoError(t, err)
	release := make(chan struct{})
	defer close(release)
	taken := make(chan int, 1)
	local, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) {
			taken <- v
			<-release
		})
	}, reactor.WithMain(reactor.Bounded(1, reactor.Block)))
	require.NoError(t, err)
	_, err = remote.Export(n, "blocked", local)
	require.NoError(t, err)
	ch, err := remote.Channel[int](n, "blocked")
	require.NoError(t, err)
	for i := range 3 {
		require.NoError(t, ch.Send(i))
	}
	require.Equal(t, 0, reactortest.Receive(t, taken)) // 0 is held by the handler
	require.NoError(t, n.Conn().Flush())               // 1 and 2 reached the connection

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, n.Close(ctx), context.DeadlineExceeded)
	d := reactortest.Receive(t, dead)
	require.Equal(t, reactor.ReasonShutdown, d.Reason)
	require.Equal(t, "remote:blocked", d.Channel)
	require.Equal(t, 2, d.Event)
	require.Equal(t, 1, local.Len())
}

// TestUndecodableOtherSystem: an undecodable payload for a channel of
// another system than the node's is dead-lettered in the channel's
// system.
func TestUndecodableOtherSystem(t *testing.T) {
	nodeSys, nodeDead := remotetest.System(t)
	chSys, chDead := remotetest.System(t)
	n := remotetest.StartNode(t, nodeSys)
	local, _ := remotetest.Collect[int](t, chSys, 1)
	_, err := remote.Export(n, "other", local)
	require.NoError(t, err)
	subj, err := remote.Subject(n.Namespace(), "other")
	require.NoError(t, err)
	require.NoError(t, n.Conn().Publish(subj, []byte("{")))
	require.Equal(t, reactor.ReasonUndecodable, reactortest.Receive(t, chDead).Reason)
	require.Empty(t, nodeDead)
}
