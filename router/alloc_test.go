package router_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

// TestRoutedSendAllocatesNothing routes through every policy, by the
// router's Send, by a Producer and by its Channel (which picks inline
// for the built-in policies), and through its Channel's SendAndRun, SendAndYield and
// Offer, and requires
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
			pr := rt.Producer()
			ctx := context.Background()
			var v uint64
			send := func() {
				v++
				if err := rt.Send(v); err != nil {
					panic(err)
				}
				if err := pr.Send(v); err != nil {
					panic(err)
				}
				if err := out.Send(v); err != nil {
					panic(err)
				}
				// Asks through the router's channel pass SendAndRun,
				// SendAndYield and Offer on to the picked target.
				if err := out.SendAndRun(ctx, v); err != nil {
					panic(err)
				}
				if err := out.SendAndYield(ctx, v); err != nil {
					panic(err)
				}
				if err := out.Offer(ctx, v); err != nil {
					panic(err)
				}
				if err := pr.Offer(ctx, v); err != nil {
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

// methodSink is a target that records which of its methods the router
// called.
type methodSink struct{ calls chan string }

func (m *methodSink) Send(int) error { m.calls <- "Send"; return nil }
func (m *methodSink) Name() string   { return "sink" }
func (m *methodSink) Offer(context.Context, int) error {
	m.calls <- "Offer"
	return nil
}
func (m *methodSink) SendAndRun(context.Context, int) error {
	m.calls <- "SendAndRun"
	return nil
}
func (m *methodSink) SendAndYield(context.Context, int) error {
	m.calls <- "SendAndYield"
	return nil
}

// TestRouterPassesEachSendOn checks that each way of sending through a
// router's channel (or a Producer) reaches the picked target by the same method, and
// that a broadcast sends with Send.
func TestRouterPassesEachSendOn(t *testing.T) {
	sys := newSys(t)
	m := &methodSink{calls: make(chan string, 2)}
	rt := router.New(sys, "methods", router.RoundRobin[int]())
	require.NoError(t, rt.Add(reactor.ChannelOf[int](m)))
	out, ctx := rt.Channel(), context.Background()
	for _, tc := range []struct {
		want string
		send func() error
	}{
		{"Send", func() error { return out.Send(1) }},
		{"Offer", func() error { return out.Offer(ctx, 1) }},
		{"SendAndRun", func() error { return out.SendAndRun(ctx, 1) }},
		{"SendAndYield", func() error { return out.SendAndYield(ctx, 1) }},
		{"Send", func() error { return rt.Producer().Send(1) }},
		{"Offer", func() error { return rt.Producer().Offer(ctx, 1) }},
	} {
		require.NoError(t, tc.send())
		require.Equal(t, tc.want, <-m.calls)
	}
	bc := router.New(sys, "broadcast", router.Broadcast[int]())
	require.NoError(t, bc.Add(reactor.ChannelOf[int](m)))
	require.NoError(t, bc.Channel().SendAndYield(ctx, 1))
	require.Equal(t, "Send", <-m.calls)
}
