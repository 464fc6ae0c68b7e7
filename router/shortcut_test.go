package router_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

// indexSender records, in order, which of a router's targets got each
// event (targets are forwarding channels, so sends are synchronous).
type indexSender struct {
	i   int
	log *[]int
}

func (s indexSender) Send(int) error { *s.log = append(*s.log, s.i); return nil }
func (s indexSender) Name() string   { return fmt.Sprintf("t%d", s.i) }

// TestRouterPicksAsThePolicy checks that a router's Send, which calls
// built-in policies without the interface, sends each event exactly
// where a twin policy's Pick puts it, also across membership changes.
func TestRouterPicksAsThePolicy(t *testing.T) {
	seq := func() func(int) int { k := 0; return func(n int) int { k++; return k * 7 % n } }
	for _, tc := range []struct {
		name string
		p    func() router.Policy[int]
	}{
		{"roundrobin", router.RoundRobin[int]},
		{"hash", func() router.Policy[int] { return router.Hash(func(v int) uint64 { return uint64(v) }) }},
		{"random", func() router.Policy[int] { return router.Random[int](seq()) }},
		{"drr", func() router.Policy[int] { return router.DeficitRoundRobin(8, func(v int) int { return v%13 + 1 }) }},
		{"broadcast", router.Broadcast[int]},
		{"last (not built in)", last[int]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys := newSys(t)
			rt, twin := router.New(sys, "r", tc.p()), tc.p()
			var got, want []int
			var targets []reactor.Channel[int]
			for i := range 5 {
				targets = append(targets, reactor.ChannelOf[int](indexSender{i: i, log: &got}))
			}
			members := map[int]*router.Members{}
			for e := range 600 {
				n := 3 + e/200 // 3, 4, then 5 members
				if e%200 == 0 {
					require.NoError(t, rt.Add(targets[len(rt.Targets()):n]...))
					members[n] = polMembers(n)
				}
				require.NoError(t, rt.Channel().Send(e))
				switch i := twin.Pick(e, members[n]); i {
				case router.All:
					for j := range n {
						want = append(want, j)
					}
				default:
					want = append(want, i)
				}
			}
			require.Equal(t, want, got)
		})
	}
}
