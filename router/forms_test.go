package router_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

func TestRouterReactor(t *testing.T) {
	sys := newSys(t)
	a, b := newSink(t, sys, "ra"), newSink(t, sys, "rb")
	r := router.New(sys, "rr", router.RoundRobin[int]())
	require.NoError(t, r.Add(a.ch, b.ch))
	ch, err := router.Spawn(sys, r, reactor.WithName("router"))
	require.NoError(t, err)
	for i := range 10 {
		require.NoError(t, ch.Send(i))
	}
	require.Equal(t, []int{0, 2, 4, 6, 8}, recvN(t, a.got, 5))
	require.Equal(t, []int{1, 3, 5, 7, 9}, recvN(t, b.got, 5))

	// The same router as the body of a reactor spawned with a bounded
	// mailbox: it shares the round-robin cycle with the first reactor.
	ch2, err := reactor.Spawn(sys, router.Body(r), reactor.WithName("router-2"),
		reactor.WithMain(reactor.Bounded(16, reactor.Fail)))
	require.NoError(t, err)
	for i := range 4 {
		require.NoError(t, ch2.Send(10+i))
	}
	require.Equal(t, []int{10, 12}, recvN(t, a.got, 2))
	require.Equal(t, []int{11, 13}, recvN(t, b.got, 2))
}

func TestRoutingOnAConnector(t *testing.T) {
	sys := newSys(t)
	a, b := newSink(t, sys, "ca"), newSink(t, sys, "cb")
	r := router.New(sys, "bc", router.Broadcast[int]())
	require.NoError(t, r.Add(a.ch, b.ch))
	opened := make(chan reactor.Channel[int], 1)
	owner, err := reactor.Spawn(sys, func(self *reactor.Reactor[string]) {
		c, err := router.Open(self, r, reactor.Named("fanout"))
		require.NoError(t, err)
		opened <- c.Channel()
		self.Main().Events().OnEvent(func(string) {})
	}, reactor.WithName("owner"))
	require.NoError(t, err)
	fanout := <-opened
	require.Equal(t, "owner#fanout", fanout.Name())
	require.NoError(t, fanout.Send(42))
	require.Equal(t, []int{42}, recvN(t, a.got, 1))
	require.Equal(t, []int{42}, recvN(t, b.got, 1))
	require.NoError(t, owner.Send("still alive"))
}

func TestRouterReactorWithNoTargetsSurvives(t *testing.T) {
	dead := make(chan reactor.DeadLetter, 4)
	sys := newSys(t, reactor.WithDeadLetterHandler(func(d reactor.DeadLetter) { dead <- d }))
	r := router.New(sys, "none", router.RoundRobin[int]())
	ch, err := router.Spawn(sys, r)
	require.NoError(t, err)
	require.NoError(t, ch.Send(1)) // accepted by the router reactor, then no route
	d := <-dead
	require.Equal(t, reactor.ReasonNoRoute, d.Reason)
	a := newSink(t, sys, "late")
	require.NoError(t, r.Add(a.ch))
	require.NoError(t, ch.Send(2)) // the reactor is still there and now routes
	require.Equal(t, []int{2}, recvN(t, a.got, 1))
}
