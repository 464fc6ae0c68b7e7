package reactor_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// systemSender is a Sender that names its system, as a router does.
type systemSender struct {
	sinkSender
	sys *reactor.System
}

func (s systemSender) System() *reactor.System { return s.sys }

// TestChannelSystemAndForwards checks Channel.System and
// Channel.Forwards on every kind of channel: a reactor's, a forwarding
// one whose Sender names its system, one whose Sender does not, and the
// zero Channel.
func TestChannelSystemAndForwards(t *testing.T) {
	sys := reactortest.NewSystem(t)
	own, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) { r.Main().Events().OnEvent(func(int) {}) })
	require.NoError(t, err)
	for _, tc := range []struct {
		name     string
		ch       reactor.Channel[int]
		sys      *reactor.System
		forwards bool
	}{
		{"reactor", own, sys, false},
		{"forwarding, named system", reactor.ChannelOf[int](systemSender{sys: sys}), sys, true},
		{"forwarding, no system", reactor.ChannelOf[int](sinkSender{}), nil, true},
		{"zero", reactor.Channel[int]{}, nil, false},
	} {
		require.Same(t, tc.sys, tc.ch.System(), tc.name)
		require.Equal(t, tc.forwards, tc.ch.Forwards(), tc.name)
	}
}
