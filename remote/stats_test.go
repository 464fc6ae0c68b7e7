package remote_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

// TestStatsReportConnectionExportsAndWindows sends through an export and
// an at-least-once channel nobody exports, and reads the node's figures.
func TestStatsReportConnectionExportsAndWindows(t *testing.T) {
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	_, got := remotetest.Export[int](t, n, "counter", 8)
	remotetest.SendArrives(t, n, "counter", 7, got)

	out, err := remote.Channel[int](n, "nobody", remote.WithAtLeastOnce[int](remote.AtLeastOnce{Window: 8}))
	require.NoError(t, err)
	require.NoError(t, out.Send(1))
	require.NoError(t, out.Send(2))

	st := n.Stats()
	require.Equal(t, "CONNECTED", st.State)
	require.Empty(t, st.ID, "no registry")
	require.Nil(t, st.Members)
	require.GreaterOrEqual(t, st.OutMsgs, uint64(3), "one event and two at-least-once sends")
	require.GreaterOrEqual(t, st.InMsgs, uint64(1))
	require.NotZero(t, st.OutBytes)
	require.Len(t, st.Exports, 1)
	require.Equal(t, "counter", st.Exports[0].Name)
	require.Zero(t, st.Exports[0].Dropped)
	require.Equal(t, []remote.WindowStats{{Name: "nobody", Unacked: 2, Window: 8}}, st.Windows)
}

// TestStatsListRegistryMembers reads the members of a registry node.
func TestStatsListRegistryMembers(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	n := remotetest.Member(t, url, "alpha")
	st := n.Stats()
	require.Equal(t, "alpha", st.ID)
	require.Len(t, st.Members, 1)
	require.Equal(t, "alpha", st.Members[0].ID)
}
