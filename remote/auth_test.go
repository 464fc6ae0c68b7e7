package remote_test

import (
	"strings"
	"testing"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/remote"
)

// TestAuth: against a server that requires a user and password, wrong or
// missing credentials fail Start with ErrAuth; the right ones connect.
func TestAuth(t *testing.T) {
	s := tcpServer(t, func(o *natsserver.Options) { o.Username, o.Password = "alice", "s3cret" })
	sys, _ := newSystem(t)
	for _, opts := range [][]remote.Option{
		{remote.WithUserInfo("alice", "wrong")},
		{remote.WithUserInfo("bob", "s3cret")},
		{},
		{remote.WithToken("s3cret")},
	} {
		n, err := remote.Start(t.Context(), sys, append(opts, remote.WithURL(s.ClientURL()))...)
		require.ErrorIs(t, err, remote.ErrAuth)
		require.Nil(t, n)
		require.Contains(t, strings.ToLower(err.Error()), "authorization violation")
	}
	n := startNode(t, sys, remote.WithURL(s.ClientURL()), remote.WithUserInfo("alice", "s3cret"))
	local, got := collect[int](t, sys, 1)
	_, err := remote.Export(n, "x", local)
	require.NoError(t, err)
	ch, err := remote.Channel[int](n, "x")
	require.NoError(t, err)
	require.NoError(t, ch.Send(42))
	require.Equal(t, 42, receive(t, got))
}

func TestAuthToken(t *testing.T) {
	s := tcpServer(t, func(o *natsserver.Options) { o.Authorization = "tok3n" })
	sys, _ := newSystem(t)
	_, err := remote.Start(t.Context(), sys, remote.WithURL(s.ClientURL()), remote.WithToken("nope"))
	require.ErrorIs(t, err, remote.ErrAuth)
	startNode(t, sys, remote.WithURL(s.ClientURL()), remote.WithToken("tok3n"))
}

// TestUnreachable: a URL nobody listens on fails with ErrStart.
func TestUnreachable(t *testing.T) {
	s := tcpServer(t, nil)
	url := s.ClientURL()
	s.Shutdown()
	s.WaitForShutdown()
	sys, _ := newSystem(t)
	_, err := remote.Start(t.Context(), sys, remote.WithURL(url))
	require.ErrorIs(t, err, remote.ErrStart)
	require.NotErrorIs(t, err, remote.ErrAuth)
}
