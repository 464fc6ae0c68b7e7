package protocol_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/protocol"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// TestInstallForms: one protocol (echo each event, doubled, to a Go
// channel) installed in the four forms behaves the same in each.
func TestInstallForms(t *testing.T) {
	sys := newSystem(t)
	out := make(chan int, 16)
	double := protocol.Install[int](func(c *reactor.Connector[int]) events.Subscription {
		return c.Events().OnEvent(func(v int) { out <- 2 * v })
	})
	var chans []reactor.Channel[int]

	existing := make(chan reactor.Channel[int], 1)
	opened := make(chan reactor.Channel[int], 1)
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		double(r.Main()) // 1. on an existing connector
		existing <- r.Main().Channel()
		c, err := protocol.Open(r, double, reactor.Named("doubled")) // 2. on a new one
		if err != nil {
			panic(err)
		}
		opened <- c.Channel()
	})
	require.NoError(t, err)
	chans = append(chans, <-existing, <-opened)
	body, err := reactor.Spawn(sys, protocol.Body(double), reactor.WithName("double-body")) // 3.
	require.NoError(t, err)
	own, err := protocol.Spawn(sys, double) // 4.
	require.NoError(t, err)
	chans = append(chans, body, own)

	for i, ch := range chans {
		require.NoError(t, ch.Send(i+1))
		require.Equal(t, 2*(i+1), <-out, "form %d", i+1)
	}
	require.True(t, strings.HasSuffix(chans[1].Name(), "#doubled"), chans[1].Name())
}

// newSystem returns a system shut down when the test ends.
func newSystem(t *testing.T) *reactor.System { return reactortest.NewSystem(t) }
