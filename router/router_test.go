package router_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/router"
	"github.com/reactors-go/reactors/server"
)

// sink is a reactor that records what it receives.
type sink struct {
	ch  reactor.Channel[int]
	got chan int
}

func newSys(t *testing.T, opts ...reactor.Option) *reactor.System {
	t.Helper()
	return reactortest.NewSystem(t, opts...)
}

func newSink(t *testing.T, sys *reactor.System, name string) sink {
	t.Helper()
	got := make(chan int, 10000)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) { got <- v })
	}, reactor.WithName(name))
	require.NoError(t, err)
	return sink{ch: ch, got: got}
}

func recvN(t *testing.T, ch <-chan int, n int) []int {
	t.Helper()
	var out []int
	for range n {
		select {
		case v := <-ch:
			out = append(out, v)
		case <-time.After(10 * time.Second):
			t.Fatalf("timed out after %d of %d values", len(out), n)
		}
	}
	return out
}

// last routes every event to the last member.
func last[T any]() router.Policy[T] {
	return router.PolicyFunc[T](func(_ T, m *router.Members) int { return m.Len() - 1 })
}

func TestNoTargetsIsNoRoute(t *testing.T) {
	dead := make(chan reactor.DeadLetter, 1)
	sys := newSys(t, reactor.WithDeadLetterHandler(func(d reactor.DeadLetter) { dead <- d }))
	r := router.New(sys, "empty", last[int]())
	err := r.Channel().Send(7)
	require.ErrorIs(t, err, router.ErrNoRoute)
	d := <-dead
	require.Equal(t, reactor.ReasonNoRoute, d.Reason)
	require.Equal(t, "empty", d.Channel)
	require.Equal(t, 7, d.Event)
}

func TestAddRemoveOrderedWithLaterSends(t *testing.T) {
	sys := newSys(t)
	a, b := newSink(t, sys, "a"), newSink(t, sys, "b")
	r := router.New(sys, "r", last[int]())
	require.NoError(t, r.Add(a.ch))
	require.NoError(t, r.Channel().Send(1))
	require.NoError(t, r.Add(b.ch))
	require.NoError(t, r.Channel().Send(2)) // after Add returned: the new last member
	r.Remove(b.ch)
	require.NoError(t, r.Channel().Send(3)) // after Remove returned: never b
	require.Equal(t, []int{1, 3}, recvN(t, a.got, 2))
	require.Equal(t, []int{2}, recvN(t, b.got, 1))
	require.Equal(t, []reactor.Channel[int]{a.ch}, r.Targets())

	// Adding twice keeps one copy; the zero channel is refused.
	require.NoError(t, r.Add(a.ch, a.ch))
	require.Len(t, r.Targets(), 1)
	require.ErrorIs(t, r.Add(reactor.Channel[int]{}), reactor.ErrNilChannel)
}

func TestBroadcastDeliversOneCopyPerMember(t *testing.T) {
	sys := newSys(t)
	sinks := []sink{newSink(t, sys, "s0"), newSink(t, sys, "s1"), newSink(t, sys, "s2")}
	all := router.PolicyFunc[int](func(_ int, m *router.Members) int {
		if m.Len() == 0 {
			return router.None
		}
		return router.All
	})
	r := router.New(sys, "bc", all)
	for _, s := range sinks {
		require.NoError(t, r.Add(s.ch))
	}
	for i := range 100 {
		require.NoError(t, r.Channel().Send(i))
	}
	for _, s := range sinks {
		got := recvN(t, s.got, 100)
		for i, v := range got {
			require.Equal(t, i, v) // every member, every event, once, in order
		}
		require.Empty(t, s.got)
	}
}

func TestMembersKeysAreStable(t *testing.T) {
	sys := newSys(t)
	a := newSink(t, sys, "stable")
	var keys []uint64
	probe := router.PolicyFunc[int](func(_ int, m *router.Members) int {
		keys = append(keys, m.Key(0))
		return 0
	})
	r := router.New(sys, "k", probe)
	require.NoError(t, r.Add(a.ch))
	require.NoError(t, r.Channel().Send(1))
	require.Equal(t, []uint64{router.KeyOf("stable#main")}, keys)
}

func TestRouterChannel(t *testing.T) {
	sys := newSys(t)
	r := router.New(sys, "named", last[int]())
	c1, c2 := r.Channel(), r.Channel()
	require.True(t, c1 == c2, "one channel per router")
	require.Equal(t, "named", r.Channel().Name())
	require.NoError(t, r.Channel().Err())
	select {
	case <-r.Channel().Done():
		t.Fatal("Done closed before Close")
	default:
	}
}

// TestRouterClose checks that Close closes the router's Done (and its
// channel's), that later sends and asks fail as to a terminated reactor
// and are dead-lettered with ReasonStopped, that Add fails, and that the
// targets live on.
func TestRouterClose(t *testing.T) {
	dead := make(chan reactor.DeadLetter, 10)
	sys := newSys(t, reactor.WithDeadLetterHandler(func(d reactor.DeadLetter) { dead <- d }))
	srv, err := server.Spawn(sys, func(v int) (int, error) { return v, nil })
	require.NoError(t, err)
	r := router.New(sys, "closing", router.RoundRobin[server.Request[int, int]]())
	require.NoError(t, r.Add(srv))
	v, err := server.Ask(context.Background(), r.Channel(), 1)
	require.NoError(t, err)
	require.Equal(t, 1, v)
	r.Close()
	r.Close() // again: nothing
	<-r.Done()
	<-r.Channel().Done()
	require.Empty(t, r.Targets())
	require.ErrorIs(t, r.Channel().Send(server.NewRequest(2, reactor.Channel[server.Reply[int]]{}, 0)), reactor.ErrTerminated)
	_, err = server.Ask(context.Background(), r.Channel(), 3)
	require.ErrorIs(t, err, server.ErrServerTerminated)
	require.ErrorIs(t, r.Add(srv), reactor.ErrTerminated)
	for range 2 {
		d := <-dead
		require.Equal(t, reactor.ReasonStopped, d.Reason)
		require.Equal(t, "closing", d.Channel)
	}
	v, err = server.Ask(context.Background(), srv, 4)
	require.NoError(t, err)
	require.Equal(t, 4, v)
}

// TestPerSenderFIFOThroughRouter sends from several goroutines through a
// router to one target: each sender's events keep their order.
func TestPerSenderFIFOThroughRouter(t *testing.T) {
	sys := newSys(t)
	const senders, each = 4, 2000
	a := newSink(t, sys, "fifo")
	r := router.New(sys, "r", last[int]())
	require.NoError(t, r.Add(a.ch))
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				_ = r.Channel().Send(s*each + i)
			}
		})
	}
	wg.Wait()
	next := make([]int, senders)
	for _, v := range recvN(t, a.got, senders*each) {
		s, i := v/each, v%each
		require.Equal(t, next[s], i)
		next[s]++
	}
}

func TestPolicyOutOfRangeIsAProgrammingError(t *testing.T) {
	sys := newSys(t)
	a := newSink(t, sys, "x")
	bad := router.PolicyFunc[int](func(int, *router.Members) int { return 5 })
	r := router.New(sys, "bad", bad)
	require.NoError(t, r.Add(a.ch))
	require.PanicsWithValue(t, "router bad: policy picked member 5 of 1", func() { _ = r.Channel().Send(1) })
}
