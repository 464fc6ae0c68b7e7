package remote_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

// leafHub starts a hub server that accepts leaf nodes on 127.0.0.1 and
// returns its leaf URL.
func leafHub(t *testing.T, edit func(*natsserver.Options)) string {
	t.Helper()
	var opts *natsserver.Options
	remotetest.Server(t, func(o *natsserver.Options) {
		o.LeafNode.Host, o.LeafNode.Port = "127.0.0.1", -1
		if edit != nil {
			edit(o)
		}
		opts = o
	})
	return fmt.Sprintf("nats-leaf://127.0.0.1:%d", opts.LeafNode.Port)
}

// TestLeafNodes: two nodes whose embedded servers are leaf nodes of one
// hub reach each other's exports; each still opens no port.
func TestLeafNodes(t *testing.T) {
	hub := leafHub(t, nil)
	sysA, _ := remotetest.System(t)
	sysB, _ := remotetest.System(t)
	a := remotetest.StartNode(t, sysA, remote.WithLeafNode(hub))
	b := remotetest.StartNode(t, sysB, remote.WithLeafNode(hub))
	require.Equal(t, 1, a.Server().NumLeafNodes())
	require.Nil(t, a.Server().Addr()) // no client listener

	_, got := remotetest.Export[int](t, b, "over/leaf", 1024)
	ch, err := remote.Channel[int](a, "over/leaf")
	require.NoError(t, err)

	// Interest in the name reaches a's server asynchronously: probe with
	// negative values until one arrives (at most once: probes sent
	// before are lost), then send the numbered events.
	first := time.Now()
	for probe := -1; ; probe-- {
		require.NoError(t, ch.Send(probe))
		select {
		case v := <-got:
			require.Less(t, v, 0)
		case <-time.After(5 * time.Millisecond):
			require.Less(t, time.Since(first), wait, "the export never became reachable")
			continue
		}
		break
	}
	for i := range 1000 {
		require.NoError(t, ch.Send(i))
	}
	for i := 0; i < 1000; {
		v := reactortest.Receive(t, got)
		if v < 0 {
			continue // a late probe
		}
		require.Equal(t, i, v)
		i++
	}
}

// TestLeafNodeAuth: a hub whose leaf listener requires a password refuses
// a leaf without it (Start times out with ErrStart) and accepts one with it.
func TestLeafNodeAuth(t *testing.T) {
	hub := leafHub(t, func(o *natsserver.Options) {
		o.LeafNode.Username, o.LeafNode.Password = "leaf", "pw"
	})
	sys, _ := remotetest.System(t)
	_, err := remote.Start(t.Context(), sys, remote.WithLeafNode(hub), remote.WithConnectTimeout(200*time.Millisecond))
	require.ErrorIs(t, err, remote.ErrStart)
	withAuth := "nats-leaf://leaf:pw@" + hub[len("nats-leaf://"):]
	n := remotetest.StartNode(t, sys, remote.WithLeafNode(withAuth))
	require.Equal(t, 1, n.Server().NumLeafNodes())

	_, err = remote.Start(t.Context(), sys, remote.WithLeafNode(hub), remote.WithURL("nats://127.0.0.1:1"))
	require.ErrorIs(t, err, remote.ErrStart)
}

// TestOptionsNeedURL: credentials without WithURL are a mistake, not
// something to ignore.
func TestOptionsNeedURL(t *testing.T) {
	sys, _ := remotetest.System(t)
	for _, o := range []remote.Option{remote.WithUserInfo("u", "p"), remote.WithToken("t"), remote.WithTLS(&tls.Config{})} {
		_, err := remote.Start(t.Context(), sys, o)
		require.ErrorIs(t, err, remote.ErrStart)
	}
	_, err := remote.Start(t.Context(), sys, remote.WithMaxPayload(-1))
	require.ErrorIs(t, err, remote.ErrStart)
}

// TestStartEndsWithItsContext: Start gives up when its context ends, with
// ErrStart wrapping the context's cause, long before its connect timeout
// (a leaf whose hub refuses it would wait the whole timeout), and starts
// nothing for a context already done. The node it returns outlives the
// context it was started with.
func TestStartEndsWithItsContext(t *testing.T) {
	hub := leafHub(t, func(o *natsserver.Options) {
		o.LeafNode.Username, o.LeafNode.Password = "leaf", "pw"
	})
	sys, _ := remotetest.System(t)

	done, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := remote.Start(done, sys)
	require.ErrorIs(t, err, remote.ErrStart)
	require.ErrorIs(t, err, context.Canceled)

	short, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = remote.Start(short, sys, remote.WithLeafNode(hub), remote.WithConnectTimeout(time.Minute))
	require.ErrorIs(t, err, remote.ErrStart)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 30*time.Second, "Start waited for its connect timeout")

	ctx, cancel := context.WithCancel(t.Context())
	n, err := remote.Start(ctx, sys)
	require.NoError(t, err)
	cancel()
	t.Cleanup(func() { require.NoError(t, n.Close(context.Background())) })
	_, got := remotetest.Export[int](t, n, "after-cancel", 1)
	remotetest.SendArrives(t, n, "after-cancel", 5, got)
}
