package router_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

// TestRoutedSendAllocatesNothing routes through every policy, by the
// router's Send and by its Channel (which picks inline for the built-in
// policies), and through its Channel's SendAndRun and Offer, and requires
// no allocation per routed event. The targets are
// forwarding channels, so what is measured is the router alone; a reactor
// target adds its mailbox, whose queue segments are shared by up to 128
// events each.
func TestRoutedSendAllocatesNothing(t *testing.T) {
	sys := newSys(t)
	for _, tc := range allPolicies() {
		t.Run(tc.name, func(t *testing.T) {
			rt := router.New(sys, "alloc", tc.p)
			targets := make([]counter[uint64], 4)
			for i := range targets {
				require.NoError(t, rt.Add(reactor.ChannelOf[uint64](&targets[i])))
			}
			out := rt.Channel()
			ctx := context.Background()
			var v uint64
			send := func() {
				v++
				if err := rt.Send(v); err != nil {
					panic(err)
				}
				if err := out.Send(v); err != nil {
					panic(err)
				}
				// Asks through the router's channel pass SendAndRun and
				// Offer on to the picked target.
				if err := out.SendAndRun(ctx, v); err != nil {
					panic(err)
				}
				if err := out.Offer(ctx, v); err != nil {
					panic(err)
				}
			}
			send() // build the policies' per-member caches
			require.Zero(t, testing.AllocsPerRun(1000, send))
			var total int64
			for i := range targets {
				total += targets[i].n.Load()
			}
			require.Positive(t, total)
		})
	}
}
