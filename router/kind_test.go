package router_test

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

type order struct{}

// deadLetters returns a system whose dead letters go to the returned
// channel.
func deadLetters(t *testing.T) (*reactor.System, chan reactor.DeadLetter) {
	t.Helper()
	dead := make(chan reactor.DeadLetter, 100)
	sys := newSys(t, reactor.WithDeadLetterHandler(func(d reactor.DeadLetter) { dead <- d }))
	return sys, dead
}

func requireDead(t *testing.T, dead chan reactor.DeadLetter, name string, v any) {
	t.Helper()
	select {
	case d := <-dead:
		require.Equal(t, reactor.DeadLetter{Channel: name, Reason: reactor.ReasonNoRoute, Event: v}, d)
	default:
		t.Fatalf("no dead letter for %v", v)
	}
}

// barrier posts a marker to kind's only handler s and waits for it: by
// per-sender FIFO, everything posted to s before has arrived by then.
func barrier(t *testing.T, k *router.Kinds, kind router.Kind[int], s sink) {
	t.Helper()
	require.NoError(t, router.Post(k, kind, -1))
	require.Equal(t, []int{-1}, recvN(t, s.got, 1))
}

func TestKindOfNames(t *testing.T) {
	require.Equal(t, router.Kind[order]{Name: "github.com/reactors-go/reactors/router_test.order", Version: 2},
		router.KindOf[order](2))
	require.Equal(t, "int", router.KindOf[int](0).Name)
	require.Equal(t, "[]uint8", router.KindOf[[]byte](0).Name)
	require.Equal(t, "*router_test.order", router.KindOf[*order](0).Name)
	require.Equal(t, "error", router.KindOf[error](0).Name)
	require.Equal(t, "shop.order@v3", router.Kind[order]{Name: "shop.order", Version: 3}.String())
}

func TestKindRoundRobinIsExact(t *testing.T) {
	sys := newSys(t)
	k := router.NewKinds(sys)
	kind := router.Kind[int]{Name: "work", Version: 1}
	sinks := []sink{newSink(t, sys, "h0"), newSink(t, sys, "h1"), newSink(t, sys, "h2")}
	for _, s := range sinks {
		require.NoError(t, router.Handle(k, kind, s.ch))
	}
	for i := range 300 {
		require.NoError(t, router.Post(k, kind, i))
	}
	for h, s := range sinks {
		for j, v := range recvN(t, s.got, 100) {
			require.Equal(t, 3*j+h, v) // one sender: cyclic and in order
		}
	}

	// Many senders at once: still exactly 1 in 3 each.
	const senders, each = 4, 300
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for i := range each {
				_ = router.Post(k, kind, i)
			}
		})
	}
	wg.Wait()
	for _, s := range sinks {
		recvN(t, s.got, senders*each/3)
	}
	// Nothing extra was queued: alone, each handler sees a marker first.
	for _, s := range sinks {
		require.NoError(t, router.Unhandle(k, kind, s.ch))
	}
	for _, s := range sinks {
		require.NoError(t, router.Handle(k, kind, s.ch))
		barrier(t, k, kind, s)
		require.NoError(t, router.Unhandle(k, kind, s.ch))
	}
}

func TestKindVersionsAreSeparate(t *testing.T) {
	sys, dead := deadLetters(t)
	k := router.NewKinds(sys)
	v1, v2 := router.Kind[int]{Name: "greet", Version: 1}, router.Kind[int]{Name: "greet", Version: 2}
	a, b := newSink(t, sys, "v1"), newSink(t, sys, "v2")
	require.NoError(t, router.Handle(k, v1, a.ch))
	require.NoError(t, router.Handle(k, v2, b.ch))
	for i := range 10 {
		require.NoError(t, router.Post(k, v1, i))
		require.NoError(t, router.Post(k, v2, 100+i))
	}
	require.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, recvN(t, a.got, 10))
	require.Equal(t, []int{100, 101, 102, 103, 104, 105, 106, 107, 108, 109}, recvN(t, b.got, 10))
	barrier(t, k, v1, a)
	barrier(t, k, v2, b)

	v3 := router.Kind[int]{Name: "greet", Version: 3}
	require.ErrorIs(t, router.Post(k, v3, 7), router.ErrNoRoute)
	requireDead(t, dead, "greet@v3", 7)
}

func TestKindTypeMismatch(t *testing.T) {
	sys, dead := deadLetters(t)
	k := router.NewKinds(sys)
	asInt := router.Kind[int]{Name: "shared", Version: 1}
	asString := router.Kind[string]{Name: "shared", Version: 1}
	a := newSink(t, sys, "ints")
	require.NoError(t, router.Handle(k, asInt, a.ch))

	strs, err := reactor.Spawn(sys, func(r *reactor.Reactor[string]) {
		r.Main().Events().OnEvent(func(string) {})
	})
	require.NoError(t, err)
	err = router.Handle(k, asString, strs)
	require.ErrorIs(t, err, router.ErrKindType)
	require.EqualError(t, err, "router shared@v1: carries int, not string: router: kind registered with another type")
	_, err = router.KindChannel(k, asString)
	require.ErrorIs(t, err, router.ErrKindType)
	require.ErrorIs(t, router.SetKindPolicy(k, asString, router.Broadcast[string]()), router.ErrKindType)
	require.ErrorIs(t, router.Unhandle(k, asString, strs), router.ErrKindType)
	require.Nil(t, router.Handlers(k, asString))

	require.ErrorIs(t, router.Post(k, asString, "x"), router.ErrKindType)
	requireDead(t, dead, "shared@v1", "x")
	require.ErrorIs(t, router.PostAll(k, asString, "y"), router.ErrKindType)
	requireDead(t, dead, "shared@v1", "y")

	// The int route is untouched.
	requireHandlers(t, router.Handlers(k, asInt), a.ch)
	require.NoError(t, router.Post(k, asInt, 1))
	require.Equal(t, []int{1}, recvN(t, a.got, 1))
}

func TestKindWithNoHandlerIsDeadLettered(t *testing.T) {
	sys, dead := deadLetters(t)
	k := router.NewKinds(sys)
	kind := router.Kind[int]{Name: "orphan", Version: 1}

	// Never handled: nothing is created for the kind.
	err := router.Post(k, kind, 1)
	require.ErrorIs(t, err, router.ErrNoRoute)
	require.EqualError(t, err, "router orphan@v1: router: no route")
	requireDead(t, dead, "orphan@v1", 1)
	require.ErrorIs(t, router.PostAll(k, kind, 2), router.ErrNoRoute)
	requireDead(t, dead, "orphan@v1", 2)
	require.Nil(t, router.Handlers(k, kind))

	// Handled, then not any more.
	a := newSink(t, sys, "gone")
	require.NoError(t, router.Handle(k, kind, a.ch))
	require.NoError(t, router.Unhandle(k, kind, a.ch))
	require.ErrorIs(t, router.Post(k, kind, 3), router.ErrNoRoute)
	requireDead(t, dead, "orphan@v1", 3)
	require.ErrorIs(t, router.PostAll(k, kind, 4), router.ErrNoRoute)
	requireDead(t, dead, "orphan@v1", 4)
	require.Empty(t, dead)
}

func TestKindUnhandle(t *testing.T) {
	sys := newSys(t)
	k := router.NewKinds(sys)
	kind := router.Kind[int]{Name: "job", Version: 1}
	a, b := newSink(t, sys, "ua"), newSink(t, sys, "ub")
	require.NoError(t, router.Handle(k, kind, a.ch))
	require.NoError(t, router.Handle(k, kind, b.ch))
	require.NoError(t, router.Unhandle(k, kind, a.ch))
	require.NoError(t, router.Unhandle(k, kind, a.ch)) // absent: ignored
	require.NoError(t, router.Unhandle(k, router.Kind[int]{Name: "never"}, a.ch))
	requireHandlers(t, router.Handlers(k, kind), b.ch)
	for i := range 10 {
		require.NoError(t, router.Post(k, kind, i))
	}
	require.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, recvN(t, b.got, 10))

	// a got nothing: it is the only handler again, and the marker is the
	// first thing it sees.
	require.NoError(t, router.Unhandle(k, kind, b.ch))
	require.NoError(t, router.Handle(k, kind, a.ch))
	barrier(t, k, kind, a)
}

func TestKindHandleTwiceIsANoOp(t *testing.T) {
	sys := newSys(t)
	k := router.NewKinds(sys)
	kind := router.Kind[int]{Name: "twice", Version: 1}
	a, b := newSink(t, sys, "ta"), newSink(t, sys, "tb")
	require.NoError(t, router.Handle(k, kind, a.ch))
	require.NoError(t, router.Handle(k, kind, b.ch))
	require.NoError(t, router.Handle(k, kind, a.ch))
	requireHandlers(t, router.Handlers(k, kind), a.ch, b.ch)
	for i := range 4 {
		require.NoError(t, router.Post(k, kind, i))
	}
	require.Equal(t, []int{0, 2}, recvN(t, a.got, 2))
	require.Equal(t, []int{1, 3}, recvN(t, b.got, 2))
}

func TestKindPostAllGivesOneCopyPerHandler(t *testing.T) {
	sys := newSys(t)
	k := router.NewKinds(sys)
	kind := router.Kind[int]{Name: "news", Version: 1}
	sinks := []sink{newSink(t, sys, "n0"), newSink(t, sys, "n1"), newSink(t, sys, "n2")}
	for _, s := range sinks {
		require.NoError(t, router.Handle(k, kind, s.ch))
	}
	for i := range 50 {
		require.NoError(t, router.PostAll(k, kind, i))
	}
	for _, s := range sinks {
		for i, v := range recvN(t, s.got, 50) {
			require.Equal(t, i, v)
		}
	}
	for i, s := range sinks {
		// Exactly one copy each: a unicast marker reaches every handler
		// in turn, and each sees it right after its 50 copies.
		require.NoError(t, router.SetKindPolicy(k, kind, router.PolicyFunc[int](func(int, *router.Members) int { return i })))
		barrier(t, k, kind, s)
	}
}

func TestKindPostAllReportsFailedHandlers(t *testing.T) {
	sys := newSys(t)
	k := router.NewKinds(sys)
	kind := router.Kind[int]{Name: "partial", Version: 1}
	a := newSink(t, sys, "alive")
	// A live reactor whose handling channel is sealed refuses posts.
	sealed := make(chan struct{})
	gone, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		_, _ = reactor.Open[string](r) // keeps the reactor alive
		r.Main().Seal()
		close(sealed)
	})
	require.NoError(t, err)
	<-sealed
	require.NoError(t, router.Handle(k, kind, gone))
	require.NoError(t, router.Handle(k, kind, a.ch))
	err = router.PostAll(k, kind, 5)
	require.ErrorIs(t, err, reactor.ErrSealed)
	require.Equal(t, []int{5}, recvN(t, a.got, 1))
}

func TestKindChannelMadeBeforeHandlers(t *testing.T) {
	sys, dead := deadLetters(t)
	k := router.NewKinds(sys)
	kind := router.Kind[int]{Name: "early", Version: 2}
	ch, err := router.KindChannel(k, kind)
	require.NoError(t, err)
	require.Equal(t, "early@v2", ch.Name())
	again, err := router.KindChannel(k, kind)
	require.NoError(t, err)
	require.True(t, ch == again, "one channel per kind")

	require.ErrorIs(t, ch.Send(1), router.ErrNoRoute)
	requireDead(t, dead, "early@v2", 1)

	a, b := newSink(t, sys, "ea"), newSink(t, sys, "eb")
	require.NoError(t, router.Handle(k, kind, a.ch))
	require.NoError(t, router.Handle(k, kind, b.ch))
	for i := range 4 {
		require.NoError(t, ch.Send(i))
	}
	require.Equal(t, []int{0, 2}, recvN(t, a.got, 2))
	require.Equal(t, []int{1, 3}, recvN(t, b.got, 2))

	// The channel follows a policy set after it was made.
	require.NoError(t, router.SetKindPolicy(k, kind, last[int]()))
	require.NoError(t, ch.Send(9))
	require.Equal(t, []int{9}, recvN(t, b.got, 1))
	require.NoError(t, router.SetKindPolicy(k, kind, nil)) // a fresh round-robin
	require.NoError(t, ch.Send(10))
	require.Equal(t, []int{10}, recvN(t, a.got, 1))
}

func TestKindRefusesBadArguments(t *testing.T) {
	sys := newSys(t)
	k := router.NewKinds(sys)
	kind := router.Kind[int]{Name: "args", Version: 1}
	err := router.Handle(k, kind, reactor.Channel[int]{})
	require.ErrorIs(t, err, reactor.ErrNilChannel)
	require.EqualError(t, err, "router args@v1: handle: reactor: send on zero channel")
	require.Nil(t, router.Handlers(k, kind))

	noName := router.Kind[int]{Version: 1}
	a := newSink(t, sys, "named")
	require.ErrorIs(t, router.Handle(k, noName, a.ch), reactor.ErrInvalidName)
	_, err = router.KindChannel(k, noName)
	require.ErrorIs(t, err, reactor.ErrInvalidName)
	require.ErrorIs(t, router.SetKindPolicy(k, noName, nil), reactor.ErrInvalidName)
}

// TestKindConcurrentHandleAndPost registers handlers while others post:
// every post is either delivered once or refused with ErrNoRoute and
// dead-lettered once, and once all handlers are in, every post succeeds.
func TestKindConcurrentHandleAndPost(t *testing.T) {
	var deadCount atomic.Int64
	sys := newSys(t, reactor.WithDeadLetterHandler(func(d reactor.DeadLetter) {
		if d.Reason == reactor.ReasonNoRoute {
			deadCount.Add(1)
		}
	}))
	k := router.NewKinds(sys)
	const kinds, posters, each = 8, 4, 200
	got := make(chan int, kinds*posters*each+kinds)
	handlers := make([]reactor.Channel[int], 2*kinds)
	for i := range handlers {
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			r.Main().Events().OnEvent(func(v int) { got <- v })
		})
		require.NoError(t, err)
		handlers[i] = ch
	}
	kindN := func(i int) router.Kind[int] { return router.Kind[int]{Name: "k", Version: uint32(i)} }

	var ok, refused atomic.Int64
	var wg sync.WaitGroup
	for i := range kinds {
		wg.Go(func() {
			// One handler stays; another comes and goes.
			assert.NoError(t, router.Handle(k, kindN(i), handlers[i]))
			for range 20 {
				assert.NoError(t, router.Handle(k, kindN(i), handlers[kinds+i]))
				assert.NoError(t, router.Unhandle(k, kindN(i), handlers[kinds+i]))
			}
		})
	}
	for p := range posters {
		wg.Go(func() {
			for j := range each {
				err := router.Post(k, kindN((p+j)%kinds), j)
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, router.ErrNoRoute):
					refused.Add(1)
				default:
					t.Errorf("post: %v", err)
				}
			}
		})
	}
	wg.Wait()
	for i := range kinds {
		require.NoError(t, router.Post(k, kindN(i), i))
		requireHandlers(t, router.Handlers(k, kindN(i)), handlers[i])
	}
	require.Equal(t, int64(posters*each), ok.Load()+refused.Load())
	require.Equal(t, refused.Load(), deadCount.Load())
	recvN(t, got, int(ok.Load())+kinds)
}

// TestKindConcurrentFirstUse has many goroutines make the same new kind at
// once: there is one route, with every handler and one channel.
func TestKindConcurrentFirstUse(t *testing.T) {
	sys := newSys(t)
	k := router.NewKinds(sys)
	const users = 8
	sinks := make([]reactor.Channel[int], users)
	for i := range sinks {
		sinks[i] = newSink(t, sys, "first"+strconv.Itoa(i)).ch
	}
	for round := range 400 {
		kind := router.Kind[int]{Name: "fresh", Version: uint32(round)}
		start := make(chan struct{})
		chans := make([]reactor.Channel[int], users)
		var wg sync.WaitGroup
		for i := range users {
			wg.Go(func() {
				<-start
				assert.NoError(t, router.Handle(k, kind, sinks[i]))
				ch, err := router.KindChannel(k, kind)
				assert.NoError(t, err)
				chans[i] = ch
			})
		}
		close(start)
		wg.Wait()
		got := router.Handlers(k, kind)
		require.Len(t, got, users)
		for _, s := range sinks {
			require.Contains(t, chanNames(got), s.Name())
		}
		for _, ch := range chans {
			require.True(t, ch == chans[0], "one channel per kind")
		}
	}
}

func TestKindPostAllocatesNothing(t *testing.T) {
	sys := newSys(t)
	k := router.NewKinds(sys)
	kind := router.Kind[int]{Name: "hot", Version: 1}
	for range 2 {
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			r.Main().Events().OnEvent(func(int) {})
		})
		require.NoError(t, err)
		require.NoError(t, router.Handle(k, kind, ch))
	}
	for i := range 20 { // other kinds, so the look-up is a real one
		require.NoError(t, router.SetKindPolicy(k, router.Kind[int]{Name: "other" + strconv.Itoa(i)}, nil))
	}
	ch, err := router.KindChannel(k, kind)
	require.NoError(t, err)
	v := 0
	for name, send := range map[string]func(int) error{
		"Post":        func(v int) error { return router.Post(k, kind, v) },
		"KindChannel": ch.Send,
		"PostAll":     func(v int) error { return router.PostAll(k, kind, v) },
	} {
		f := func() {
			v++
			if err := send(v); err != nil {
				panic(err)
			}
		}
		for range 1000 {
			f() // warm the mailboxes up
		}
		require.Zero(t, testing.AllocsPerRun(1000, f), name)
	}
}

func TestHandleConnectorUnregistersAtTheEnd(t *testing.T) {
	sys, dead := deadLetters(t)
	k := router.NewKinds(sys)
	kind := router.Kind[int]{Name: "served", Version: 1}
	ready := make(chan error, 1)
	got := make(chan int, 10)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) {
			if v < 0 {
				r.Main().Seal()
				return
			}
			got <- v
		})
		ready <- router.HandleConnector(k, kind, r.Main())
	})
	require.NoError(t, err)
	require.NoError(t, <-ready)
	requireHandlers(t, router.Handlers(k, kind), ch)
	require.NoError(t, router.Post(k, kind, 1))
	require.Equal(t, []int{1}, recvN(t, got, 1))
	require.NoError(t, router.Post(k, kind, -1))
	<-ch.Done()
	require.Nil(t, router.Handlers(k, kind))
	require.ErrorIs(t, router.Post(k, kind, 2), router.ErrNoRoute)
	requireDead(t, dead, "served@v1", 2)
}

func TestHandleConnectorSurvivesRestart(t *testing.T) {
	sys := newSys(t, reactor.WithFailureHandler(func(reactor.Failure) {}))
	k := router.NewKinds(sys)
	kind := router.Kind[int]{Name: "restarted", Version: 1}
	ready := make(chan error, 2)
	got := make(chan int, 10)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) {
			if v < 0 {
				panic("handler failed")
			}
			got <- v
		})
		ready <- router.HandleConnector(k, kind, r.Main())
	}, reactor.WithRestart(reactor.RestartPolicy{MaxRestarts: 1}))
	require.NoError(t, err)
	require.NoError(t, <-ready)
	require.NoError(t, router.Post(k, kind, -1))
	require.NoError(t, <-ready) // run again after the failure: no error
	requireHandlers(t, router.Handlers(k, kind), ch)
	require.NoError(t, router.Post(k, kind, 3))
	require.Equal(t, []int{3}, recvN(t, got, 1))
}
