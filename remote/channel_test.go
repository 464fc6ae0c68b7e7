package remote_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

type point struct {
	X, Y int
	Tag  string
}

func TestChannelRoundTrip(t *testing.T) {
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	exp, got := remotetest.Export[point](t, n, "points/p1", 4)
	require.Equal(t, "points/p1", exp.Name())

	ch, err := remote.Channel[point](n, "points/p1")
	require.NoError(t, err)
	require.Equal(t, "remote:points/p1", ch.Name())
	require.NoError(t, ch.Send(point{1, 2, "a"}))
	require.NoError(t, ch.Send(point{3, 4, "b"}))
	require.Equal(t, point{1, 2, "a"}, reactortest.Receive(t, got))
	require.Equal(t, point{3, 4, "b"}, reactortest.Receive(t, got))
}

// TestLocalSendsNeverTouchNATS: sends on plain reactor channels of a
// system with a node produce no NATS traffic; a remote channel's send
// does.
func TestLocalSendsNeverTouchNATS(t *testing.T) {
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	local, got := remotetest.Collect[int](t, sys, 100)
	for i := range 100 {
		require.NoError(t, local.Send(i))
	}
	for i := range 100 {
		require.Equal(t, i, reactortest.Receive(t, got))
	}
	require.Zero(t, n.Conn().Stats().OutMsgs)
	require.Zero(t, n.Conn().Stats().InMsgs)

	_, err := remote.Export(n, "c", local)
	require.NoError(t, err)
	remotetest.SendArrives(t, n, "c", 7, got)
	require.Equal(t, uint64(1), n.Conn().Stats().OutMsgs)
	require.Equal(t, uint64(1), n.Conn().Stats().InMsgs)
}

// TestPerSenderFIFO: several goroutines send numbered events to one
// remote name; the exporting reactor sees each sender's events in the
// order sent, and all of them.
func TestPerSenderFIFO(t *testing.T) {
	const senders, per = 4, 5000
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	local, done := fifoChecker(t, sys, senders*per)
	_, err := remote.Export(n, "fifo", local)
	require.NoError(t, err)
	ch, err := remote.Channel[seqEvent](n, "fifo")
	require.NoError(t, err)

	var wg sync.WaitGroup
	for s := range senders {
		sendSeq(t, &wg, ch, s, per)
	}
	wg.Wait()
	require.NoError(t, reactortest.Receive(t, done))
}

// TestTwoNodes: nodes of two systems connected to one NATS server over
// loopback TCP; an event sent on one arrives on the other.
func TestTwoNodes(t *testing.T) {
	s := remotetest.Server(t, nil)
	sysA, _ := remotetest.System(t)
	sysB, _ := remotetest.System(t)
	a := remotetest.StartNode(t, sysA, remote.WithURL(s.ClientURL()), remote.WithNamespace("app.test"))
	b := remotetest.StartNode(t, sysB, remote.WithURL(s.ClientURL()), remote.WithNamespace("app.test"))
	_, got := remotetest.Export[string](t, b, "greeter#main", 1)
	require.NoError(t, b.Conn().Flush()) // the subscription is known to the server
	remotetest.SendArrives(t, a, "greeter#main", "hello", got)
}

// TestNoImplicitBroadcast: two nodes export one name; each event reaches
// exactly one of them.
func TestNoImplicitBroadcast(t *testing.T) {
	const total = 200
	s := remotetest.Server(t, nil)
	sys, _ := remotetest.System(t)
	a := remotetest.StartNode(t, sys, remote.WithURL(s.ClientURL()))
	b := remotetest.StartNode(t, sys, remote.WithURL(s.ClientURL()))
	got := make(chan string, 2*total)
	for _, n := range []*remote.Node{a, b} {
		name := fmt.Sprintf("%p", n)
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			r.Main().Events().OnEvent(func(int) { got <- name })
		})
		require.NoError(t, err)
		_, err = remote.Export(n, "shared", ch)
		require.NoError(t, err)
		require.NoError(t, n.Conn().Flush())
	}
	ch, err := remote.Channel[int](a, "shared")
	require.NoError(t, err)
	for i := range total {
		require.NoError(t, ch.Send(i))
	}
	for range total {
		reactortest.Receive(t, got)
	}
	// Everything sent has been delivered once; a round trip through the
	// server on both connections shows nothing else is on its way.
	require.NoError(t, a.Conn().Flush())
	require.NoError(t, b.Conn().Flush())
	require.Equal(t, uint64(total), a.Conn().Stats().InMsgs+b.Conn().Stats().InMsgs)
	require.Empty(t, got)
}

func TestPayloadLimit(t *testing.T) {
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys, remote.WithMaxPayload(100))
	require.Equal(t, 100, n.MaxPayload())
	_, got := remotetest.Export[string](t, n, "big", 1)
	ch, err := remote.Channel[string](n, "big")
	require.NoError(t, err)

	fits := strings.Repeat("x", 98) // 100 bytes of JSON with the quotes
	require.NoError(t, ch.Send(fits))
	require.Equal(t, fits, reactortest.Receive(t, got))

	err = ch.Send(fits + "x")
	require.ErrorIs(t, err, remote.ErrPayloadTooLarge)
	var pe *remote.PayloadError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, remote.PayloadError{Name: "big", Size: 101, Limit: 100}, *pe)
	require.Equal(t, "remote: payload too large: big: 101 bytes, limit 100", err.Error())
}

// TestPayloadLimitOfConnection: a limit above the server's max_payload is
// lowered to it; an embedded server's default is 1 MiB.
func TestPayloadLimitOfConnection(t *testing.T) {
	s := remotetest.Server(t, func(o *natsserver.Options) { o.MaxPayload = 512 })
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys, remote.WithURL(s.ClientURL()), remote.WithMaxPayload(1<<20))
	require.Equal(t, 512, n.MaxPayload())
	ch, err := remote.Channel[string](n, "big")
	require.NoError(t, err)
	require.NoError(t, ch.Send(strings.Repeat("x", 510)))
	var pe *remote.PayloadError
	require.ErrorAs(t, ch.Send(strings.Repeat("x", 511)), &pe)
	require.Equal(t, 513, pe.Size)

	e := remotetest.StartNode(t, sys)
	require.Equal(t, 1<<20, e.MaxPayload())
}

type unencodable struct{ F func() }

func TestEncodeError(t *testing.T) {
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	ch, err := remote.Channel[unencodable](n, "x")
	require.NoError(t, err)
	require.ErrorIs(t, ch.Send(unencodable{F: func() {}}), remote.ErrEncode)
	require.Zero(t, n.Conn().Stats().OutMsgs)
}

func TestInvalidNames(t *testing.T) {
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	local, _ := remotetest.Collect[int](t, sys, 1)
	for _, name := range []string{"", "a.b", "a/*", ">", "a b", "a//b"} {
		_, err := remote.Channel[int](n, name)
		require.ErrorIs(t, err, remote.ErrInvalidName, name)
		_, err = remote.Export(n, name, local)
		require.ErrorIs(t, err, remote.ErrInvalidName, name)
	}
	_, err := remote.Start(t.Context(), sys, remote.WithNamespace("a.>"))
	require.ErrorIs(t, err, remote.ErrInvalidName)
}
