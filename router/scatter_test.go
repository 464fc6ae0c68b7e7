package router_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

// The gather tests run in synctest bubbles: time is virtual and moves only
// when every goroutine of the bubble is blocked, so deadlines and hedge
// intervals are exact, synctest.Wait proves that nothing more is on its
// way, and a gather that waits for a reply that cannot come deadlocks the
// bubble, which fails the test.

// sgReq is the request of these tests: a question carrying its reply
// channel, or, sent by the test itself, a release telling a holding
// replica to answer the questions it keeps.
type sgReq struct {
	reply   reactor.Channel[int]
	release bool
}

// ask builds the request sent to one target.
func ask(reply reactor.Channel[int]) sgReq { return sgReq{reply: reply} }

// sgReplica answers each question with its id, at once or, if it holds,
// when released. It reports the (virtual) time each question arrives on
// got and the error of each reply it sends on sent.
type sgReplica struct {
	id   int
	ch   reactor.Channel[sgReq]
	got  chan time.Time
	sent chan error
}

func newReplica(t *testing.T, sys *reactor.System, id int, hold bool, opts ...reactor.SpawnOption) *sgReplica {
	t.Helper()
	rp := &sgReplica{id: id, got: make(chan time.Time, 100), sent: make(chan error, 100)}
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[sgReq]) {
		var held []reactor.Channel[int]
		r.Main().Events().OnEvent(func(q sgReq) {
			if q.release {
				for _, to := range held {
					rp.sent <- to.Send(id)
				}
				held = nil
				return
			}
			rp.got <- time.Now()
			if hold {
				held = append(held, q.reply)
				return
			}
			rp.sent <- q.reply.Send(id)
		})
	}, opts...)
	require.NoError(t, err)
	rp.ch = ch
	return rp
}

func (rp *sgReplica) release(t *testing.T) {
	t.Helper()
	require.NoError(t, rp.ch.Send(sgReq{release: true}))
}

// replicas starts replicas 1..n; the ids listed in held hold.
func replicas(t *testing.T, sys *reactor.System, n int, held ...int) []*sgReplica {
	t.Helper()
	var rps []*sgReplica
	for id := 1; id <= n; id++ {
		rps = append(rps, newReplica(t, sys, id, slices.Contains(held, id)))
	}
	return rps
}

func channels(rps ...*sgReplica) []reactor.Channel[sgReq] {
	var chs []reactor.Channel[sgReq]
	for _, rp := range rps {
		chs = append(chs, rp.ch)
	}
	return chs
}

// terminatedTarget returns the channel of a reactor that has terminated.
func terminatedTarget(t *testing.T, sys *reactor.System) reactor.Channel[sgReq] {
	t.Helper()
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[sgReq]) { r.Main().Seal() }, reactor.WithName("gone"))
	require.NoError(t, err)
	<-ch.Done()
	return ch
}

// sealedTarget returns a sealed channel of a reactor that lives on.
func sealedTarget(t *testing.T, sys *reactor.System) reactor.Channel[sgReq] {
	t.Helper()
	out := make(chan reactor.Channel[sgReq], 1)
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		c, err := reactor.Open[sgReq](r, reactor.Named("closed"))
		if err == nil {
			c.Seal()
		}
		out <- c.Channel()
		r.Main().Events().OnEvent(func(int) {})
	}, reactor.WithName("alive"))
	require.NoError(t, err)
	return <-out
}

// inBubble runs f in a synctest bubble with a system of its own whose dead
// letters go to dead, and shuts the system down inside the bubble.
func inBubble(t *testing.T, f func(t *testing.T, sys *reactor.System, dead <-chan reactor.DeadLetter)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		dead := make(chan reactor.DeadLetter, 1000)
		sys := reactor.New(reactor.WithWorkers(4), reactor.WithLogger(zerolog.Nop()),
			reactor.WithDeadLetterHandler(func(d reactor.DeadLetter) { dead <- d }))
		defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
		f(t, sys, dead)
	})
}

// drained returns the dead letters reported so far with reason r. Call
// it after synctest.Wait.
func drained(dead <-chan reactor.DeadLetter, r reactor.Reason) []reactor.DeadLetter {
	var out []reactor.DeadLetter
	for {
		select {
		case d := <-dead:
			if d.Reason == r {
				out = append(out, d)
			}
		default:
			return out
		}
	}
}

// errsOf returns the reply-send errors reported by rps so far.
func errsOf(rps ...*sgReplica) []error {
	var out []error
	for _, rp := range rps {
		for len(rp.sent) > 0 {
			out = append(out, <-rp.sent)
		}
	}
	return out
}

type gathered struct {
	replies []int
	err     error
}

// goGather runs ScatterGather on a goroutine of its own.
func goGather(ctx context.Context, sys *reactor.System, targets []reactor.Channel[sgReq], n int) <-chan gathered {
	out := make(chan gathered, 1)
	go func() {
		rs, err := router.ScatterGather(ctx, sys, targets, ask, n)
		out <- gathered{rs, err}
	}()
	return out
}

func sorted(xs []int) []int { return slices.Sorted(slices.Values(xs)) }

// requireGatherError checks that err is a *GatherError with these replies
// (in any order) and wanted count, and returns it.
func requireGatherError(t *testing.T, err error, replies []int, wanted int) *router.GatherError[int] {
	t.Helper()
	var ge *router.GatherError[int]
	require.ErrorAs(t, err, &ge)
	require.Equal(t, sorted(replies), sorted(ge.Replies))
	require.Equal(t, wanted, ge.Wanted)
	return ge
}

func TestScatterGatherWaitsForNReplies(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		want int
	}{
		{"first reply wins", 1, 1},
		{"two of three", 2, 2},
		{"all by zero", 0, 3},
		{"all by negative", -1, 3},
		{"all by too many", 7, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T, sys *reactor.System, dead <-chan reactor.DeadLetter) {
				rps := replicas(t, sys, 3)
				got, err := router.ScatterGather(context.Background(), sys, channels(rps...), ask, tc.n)
				require.NoError(t, err)
				require.Len(t, got, tc.want)
				require.Len(t, slices.Compact(sorted(got)), tc.want, "one reply per replica")
				for _, v := range got {
					require.Contains(t, []int{1, 2, 3}, v)
				}
				// The replies beyond the n wanted are refused and dead-lettered.
				synctest.Wait()
				errs := errsOf(rps...)
				require.Len(t, errs, 3)
				expired := 0
				for _, e := range errs {
					if e != nil {
						require.ErrorIs(t, e, reactor.ErrExpired)
						expired++
					}
				}
				require.Equal(t, 3-tc.want, expired)
				late := drained(dead, reactor.ReasonExpired)
				require.Len(t, late, 3-tc.want)
				for _, d := range late {
					require.Equal(t, "scatter-gather", d.Channel)
					require.NotContains(t, got, d.Event)
				}
			})
		})
	}
}

func TestScatterGatherFirstReplyWinsLateOnesExpire(t *testing.T) {
	inBubble(t, func(t *testing.T, sys *reactor.System, dead <-chan reactor.DeadLetter) {
		rps := replicas(t, sys, 3, 1, 2, 3)
		res := goGather(context.Background(), sys, channels(rps...), 1)
		for _, rp := range rps {
			<-rp.got
		}
		rps[1].release(t)
		r := <-res
		require.NoError(t, r.err)
		require.Equal(t, []int{2}, r.replies)
		require.NoError(t, <-rps[1].sent)

		rps[0].release(t)
		rps[2].release(t)
		require.ErrorIs(t, <-rps[0].sent, reactor.ErrExpired)
		require.ErrorIs(t, <-rps[2].sent, reactor.ErrExpired)
		synctest.Wait()
		late := drained(dead, reactor.ReasonExpired)
		require.Len(t, late, 2)
		require.ElementsMatch(t, []any{1, 3}, []any{late[0].Event, late[1].Event})
	})
}

func TestScatterGatherDeadlineReturnsPartialReplies(t *testing.T) {
	inBubble(t, func(t *testing.T, sys *reactor.System, dead <-chan reactor.DeadLetter) {
		rps := replicas(t, sys, 3, 3)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		got, err := router.ScatterGather(ctx, sys, channels(rps...), ask, 0)
		require.Equal(t, time.Second, time.Since(start))
		require.Equal(t, []int{1, 2}, sorted(got))
		ge := requireGatherError(t, err, []int{1, 2}, 3)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Equal(t, "router: scatter-gather: 2 of 3 replies: context deadline exceeded", ge.Error())

		rps[2].release(t)
		require.ErrorIs(t, <-rps[2].sent, reactor.ErrExpired)
		synctest.Wait()
		late := drained(dead, reactor.ReasonExpired)
		require.Len(t, late, 1)
		require.Equal(t, 3, late[0].Event)
	})
}

func TestScatterGatherCancel(t *testing.T) {
	errStop := errors.New("caller gave up")
	t.Run("keeps the replies in", func(t *testing.T) {
		inBubble(t, func(t *testing.T, sys *reactor.System, _ <-chan reactor.DeadLetter) {
			rps := replicas(t, sys, 2, 2)
			ctx, cancel := context.WithCancelCause(context.Background())
			res := goGather(ctx, sys, channels(rps...), 0)
			require.NoError(t, <-rps[0].sent) // replica 1's reply is accepted
			<-rps[1].got
			cancel(errStop)
			r := <-res
			require.Equal(t, []int{1}, r.replies)
			requireGatherError(t, r.err, []int{1}, 2)
			require.ErrorIs(t, r.err, errStop)
		})
	})
	t.Run("already cancelled sends nothing", func(t *testing.T) {
		inBubble(t, func(t *testing.T, sys *reactor.System, _ <-chan reactor.DeadLetter) {
			rps := replicas(t, sys, 2)
			ctx, cancel := context.WithCancelCause(context.Background())
			cancel(errStop)
			got, err := router.ScatterGather(ctx, sys, channels(rps...), ask, 1)
			require.Empty(t, got)
			requireGatherError(t, err, nil, 1)
			require.ErrorIs(t, err, errStop)
			synctest.Wait()
			require.Empty(t, rps[0].got)
			require.Empty(t, rps[1].got)
		})
	})
}

func TestScatterGatherFailedSends(t *testing.T) {
	for _, tc := range []struct {
		name    string
		live    int // replicas answering, after the two failing targets
		n       int
		replies int
		fails   bool
	}{
		{"first reply despite failures", 2, 1, 1, false},
		{"enough live targets", 2, 2, 2, false},
		{"fewer live targets than wanted", 2, 0, 2, true},
		{"no live target fails at once", 0, 0, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T, sys *reactor.System, _ <-chan reactor.DeadLetter) {
				targets := []reactor.Channel[sgReq]{terminatedTarget(t, sys), sealedTarget(t, sys)}
				targets = append(targets, channels(replicas(t, sys, tc.live)...)...)
				start := time.Now()
				// No deadline: waiting for a reply that cannot come would
				// deadlock the bubble.
				got, err := router.ScatterGather(context.Background(), sys, targets, ask, tc.n)
				require.Zero(t, time.Since(start))
				require.Len(t, got, tc.replies)
				if !tc.fails {
					require.NoError(t, err)
					return
				}
				requireGatherError(t, err, got, len(targets))
				require.ErrorIs(t, err, reactor.ErrTerminated)
				require.ErrorIs(t, err, reactor.ErrSealed)
				require.ErrorContains(t, err, "gone#main: reactor: reactor terminated")
				require.ErrorContains(t, err, "alive#closed: reactor: channel sealed")
			})
		})
	}
}

// TestScatterGatherManyConcurrentReplies runs on real time and the race
// detector: many replies race for the few places, and exactly the extra
// ones are refused.
func TestScatterGatherManyConcurrentReplies(t *testing.T) {
	dead := make(chan reactor.DeadLetter, 1000)
	sys := newSys(t, reactor.WithDeadLetterHandler(func(d reactor.DeadLetter) { dead <- d }))
	rps := replicas(t, sys, 50)
	got, err := router.ScatterGather(context.Background(), sys, channels(rps...), ask, 10)
	require.NoError(t, err)
	require.Len(t, slices.Compact(sorted(got)), 10)
	expired := 0
	for _, rp := range rps {
		if err := <-rp.sent; err != nil {
			require.ErrorIs(t, err, reactor.ErrExpired)
			expired++
		}
	}
	require.Equal(t, 40, expired)
	require.Len(t, drained(dead, reactor.ReasonExpired), 40)
}

func TestScatterGatherInWaitsForNReplies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n, want int
	}{
		{"first reply wins", 1, 1},
		{"two of three", 2, 2},
		{"all", 0, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T, sys *reactor.System, dead <-chan reactor.DeadLetter) {
				rps := replicas(t, sys, 3)
				_, out := client(t, sys, func(r *reactor.Reactor[int]) *events.IVar[[]int] {
					return router.ScatterGatherIn(r, channels(rps...), ask, tc.n, time.Hour)
				})
				o := <-out
				require.NoError(t, o.err)
				require.Len(t, slices.Compact(sorted(o.v)), tc.want)
				synctest.Wait()
				require.Len(t, drained(dead, reactor.ReasonExpired), 3-tc.want)
				require.Empty(t, drained(dead, reactor.ReasonSealed))
			})
		})
	}
}

func TestScatterGatherInDeadline(t *testing.T) {
	inBubble(t, func(t *testing.T, sys *reactor.System, dead <-chan reactor.DeadLetter) {
		rps := replicas(t, sys, 2, 2)
		start := time.Now()
		_, out := client(t, sys, func(r *reactor.Reactor[int]) *events.IVar[[]int] {
			return router.ScatterGatherIn(r, channels(rps...), ask, 0, time.Second)
		})
		o := <-out
		require.Equal(t, time.Second, o.at.Sub(start))
		requireGatherError(t, o.err, []int{1}, 2)
		require.ErrorIs(t, o.err, context.DeadlineExceeded)

		rps[1].release(t)
		require.ErrorIs(t, <-rps[1].sent, reactor.ErrExpired)
		synctest.Wait()
		late := drained(dead, reactor.ReasonExpired)
		require.Len(t, late, 1)
		require.Equal(t, 2, late[0].Event)
		require.Contains(t, late[0].Channel, "#unnamed")
	})
}

func TestScatterGatherInFailedSends(t *testing.T) {
	inBubble(t, func(t *testing.T, sys *reactor.System, _ <-chan reactor.DeadLetter) {
		gone := terminatedTarget(t, sys)
		live := replicas(t, sys, 1)[0]
		_, out := client(t, sys, func(r *reactor.Reactor[int]) *events.IVar[[]int] {
			return router.ScatterGatherIn(r, []reactor.Channel[sgReq]{gone, live.ch}, ask, 0, time.Hour)
		})
		o := <-out
		requireGatherError(t, o.err, []int{1}, 2)
		require.ErrorIs(t, o.err, reactor.ErrTerminated)

		start := time.Now()
		_, out = client(t, sys, func(r *reactor.Reactor[int]) *events.IVar[[]int] {
			return router.ScatterGatherIn(r, []reactor.Channel[sgReq]{gone}, ask, 1, time.Hour)
		})
		o = <-out
		require.Zero(t, time.Since(start))
		requireGatherError(t, o.err, nil, 1)
		require.ErrorIs(t, o.err, reactor.ErrTerminated)

		_, out = client(t, sys, func(r *reactor.Reactor[int]) *events.IVar[[]int] {
			iv := router.ScatterGatherIn(r, nil, ask, 1, time.Hour)
			if !iv.Completed() {
				panic("no targets must fail at once")
			}
			return iv
		})
		require.ErrorIs(t, (<-out).err, router.ErrNoRoute)
	})
}

// TestScatterGatherInReplyRacingWithTheEnd makes both replies reach the
// reply channel before the gather has handled either: the second is
// accepted, then found late by the gatherer, and must be reported as
// expired, not as sent to a sealed connector.
func TestScatterGatherInReplyRacingWithTheEnd(t *testing.T) {
	inBubble(t, func(t *testing.T, sys *reactor.System, dead <-chan reactor.DeadLetter) {
		// The replicas run on goroutines of their own, so that they answer
		// while the gathering reactor is held.
		rps := []*sgReplica{
			newReplica(t, sys, 1, false, reactor.WithScheduler(reactor.Dedicated)),
			newReplica(t, sys, 2, false, reactor.WithScheduler(reactor.Dedicated)),
		}
		_, out := client(t, sys, func(r *reactor.Reactor[int]) *events.IVar[[]int] {
			iv := router.ScatterGatherIn(r, channels(rps...), ask, 1, time.Hour)
			// Hold this turn (the tests' only blocking handler) until
			// both replies are accepted.
			for _, rp := range rps {
				if err := <-rp.sent; err != nil {
					panic(err)
				}
			}
			return iv
		})
		o := <-out
		require.NoError(t, o.err)
		require.Len(t, o.v, 1)
		synctest.Wait()
		late := drained(dead, reactor.ReasonExpired)
		require.Len(t, late, 1)
		require.NotEqual(t, o.v[0], late[0].Event)
	})
}

func TestScatterGatherInOwnerTerminates(t *testing.T) {
	inBubble(t, func(t *testing.T, sys *reactor.System, _ <-chan reactor.DeadLetter) {
		rp := replicas(t, sys, 1, 1)[0]
		ch, out := client(t, sys, func(r *reactor.Reactor[int]) *events.IVar[[]int] {
			return router.ScatterGatherIn(r, channels(rp), ask, 1, time.Hour)
		})
		<-rp.got
		require.NoError(t, ch.Send(0)) // the client seals its main connector
		<-ch.Done()
		o := <-out
		require.ErrorIs(t, o.err, reactor.ErrTerminated)
		rp.release(t)
		require.Error(t, <-rp.sent)
	})
}
