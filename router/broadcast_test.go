package router_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/router"
)

func TestBroadcastPicksAllOrNone(t *testing.T) {
	p := router.Broadcast[int]()
	require.Equal(t, router.All, p.Pick(0, polMembers(1)))
	require.Equal(t, router.All, p.Pick(0, polMembers(5)))
	require.Equal(t, router.None, p.Pick(0, router.NewMembers()))
	require.Equal(t, router.None, p.Pick(0, nil))
}
