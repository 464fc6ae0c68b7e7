package remote_test

import (
	"strings"
	"testing"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

// TestAuth: against a server that requires a user and password, wrong or
// missing credentials fail Start with ErrAuth; the right ones connect.
func TestAuth(t *testing.T) {
	s := remotetest.Server(t, func(o *natsserver.Options) { o.Username, o.Password = "alice", "s3cret" })
	sys, _ := remotetest.System(t)
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
	n := remotetest.StartNode(t, sys, remote.WithURL(s.ClientURL()), remote.WithUserInfo("alice", "s3cret"))
	_, got := remotetest.Export[int](t, n, "x", 1)
	remotetest.SendArrives(t, n, "x", 42, got)
}

func TestAuthToken(t *testing.T) {
	s := remotetest.Server(t, func(o *natsserver.Options) { o.Authorization = "tok3n" })
	sys, _ := remotetest.System(t)
	_, err := remote.Start(t.Context(), sys, remote.WithURL(s.ClientURL()), remote.WithToken("nope"))
	require.ErrorIs(t, err, remote.ErrAuth)
	remotetest.StartNode(t, sys, remote.WithURL(s.ClientURL()), remote.WithToken("tok3n"))
}

// TestUnreachable: a URL nobody listens on fails with ErrStart.
func TestUnreachable(t *testing.T) {
	s := remotetest.Server(t, nil)
	url := s.ClientURL()
	s.Shutdown()
	s.WaitForShutdown()
	sys, _ := remotetest.System(t)
	_, err := remote.Start(t.Context(), sys, remote.WithURL(url))
	require.ErrorIs(t, err, remote.ErrStart)
	require.NotErrorIs(t, err, remote.ErrAuth)
}
