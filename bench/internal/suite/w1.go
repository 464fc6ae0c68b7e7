package suite

import (
	"fmt"
	"sync"
	"time"

	"github.com/reactors-go/reactors/reactor"
)

// W1Messages is N of W1.
const W1Messages = 1_000_000

// w1 is W1, ping-pong: two actors pass a counter back and forth until it
// reaches N; one message is in flight at any time.
func w1() workload {
	return workload{
		name: "W1",
		describe: func(cfg *config) string {
			return fmt.Sprintf("pingpong N=%d raw chan-buf=%d",
				RunParams{factor: cfg.scale}.Count(W1Messages), cfg.chanBuf)
		},
		cases: []benchCase{
			{peer: peerRaw, variant: "pingpong", run: w1Raw},
			{peer: peerReactors, variant: "pingpong", run: withOptions(w1Reactors)},
			{peer: peerReactors, variant: "pingpong-observed", run: withOptions(w1Reactors, reactor.WithIntrospection())},
		},
		ratios: []ratioDef{
			{variant: "pingpong", refVariant: "pingpong", metric: "ns_per_msg"},
			{variant: "pingpong-observed", refVariant: "pingpong", metric: "ns_per_msg"},
		},
	}
}

// w1Result turns the elapsed time of n messages into W1's metrics.
func w1Result(n int64, t time.Duration) Result {
	return Result{
		{"msgs_per_s", float64(n) / t.Seconds()},
		{"ns_per_msg", float64(t.Nanoseconds()) / float64(n)},
	}
}

// w1Check asks both actors for their received counts (ask sends the count
// query to both) and checks that they add up to n.
func w1Check(n int64, ask func() error, replies <-chan int64, deadline <-chan time.Time) error {
	if err := ask(); err != nil {
		return err
	}
	var sum int64
	for range 2 {
		c, err := AwaitSignal(replies, deadline, "count reply")
		if err != nil {
			return err
		}
		sum += c
	}
	if sum != n {
		return fmt.Errorf("received counts add up to %d, want %d", sum, n)
	}
	return nil
}

// w1Setup sends the setup query to both actors and waits for both to
// confirm that they know their peer.
func w1Setup(send func() error, replies <-chan int64, deadline <-chan time.Time) error {
	if err := send(); err != nil {
		return err
	}
	for range 2 {
		ok, err := AwaitSignal(replies, deadline, "setup reply")
		if err != nil {
			return err
		}
		if ok != 1 {
			return fmt.Errorf("an actor does not know its peer")
		}
	}
	return nil
}

// W1Play plays one measured game between two players that are up: it
// confirms that both know their peer, times the game from t0, taken right
// before serve sends message 1, to the done signal of message n, and then
// checks the players' received counts. both(v) returns a function that
// sends v to both players.
func W1Play(n int64, both func(v int64) func() error, serve func() error, done <-chan struct{}, replies <-chan int64, deadline <-chan time.Time) (Result, error) {
	if err := w1Setup(both(SetupQuery), replies, deadline); err != nil {
		return nil, err
	}

	t0 := time.Now()
	if err := serve(); err != nil {
		return nil, err
	}
	if _, err := AwaitSignal(done, deadline, "completion"); err != nil {
		return nil, err
	}
	t := time.Since(t0)

	if err := w1Check(n, both(CountQuery), replies, deadline); err != nil {
		return nil, err
	}
	return w1Result(n, t), nil
}

// w1Raw plays ping-pong between two goroutines over two chan int64.
func w1Raw(p RunParams) (Result, error) {
	n := int64(p.Count(W1Messages))
	deadline := NewDeadline()
	defer deadline.Stop()
	a := make(chan int64, p.cfg.chanBuf)
	b := make(chan int64, p.cfg.chanBuf)
	done := make(chan struct{}, 1)
	replies := make(chan int64, 2)
	var exited sync.WaitGroup
	player := func(in <-chan int64, out chan<- int64) {
		defer exited.Done()
		var recv int64
		for k := range in {
			switch {
			case k > 0:
				recv++
				if k == n {
					done <- struct{}{}
				} else {
					out <- k + 1
				}
			case k == SetupQuery:
				replies <- BoolInt(out != nil)
			default:
				replies <- recv
			}
		}
	}
	exited.Add(2)
	go player(a, b)
	go player(b, a)
	defer func() {
		close(a)
		close(b)
		exited.Wait()
	}()
	both := func(v int64) func() error {
		return func() error { a <- v; b <- v; return nil }
	}
	serve := func() error { a <- 1; return nil }
	return W1Play(n, both, serve, done, replies, deadline.C)
}

// w1Reactors plays ping-pong between two reactors.
func w1Reactors(p RunParams, opts ...reactor.Option) (res Result, err error) {
	n := int64(p.Count(W1Messages))
	sys, deadline, finish := startReactors(opts...)
	defer finish(&res, &err)
	done := make(chan struct{}, 1)
	replies := make(chan int64, 2)
	// The peers' addresses, written before the setup query is sent (which
	// synchronizes before the handler that reads them).
	var toA, toB reactor.Channel[int64]
	a, err := reactor.Spawn(sys, w1Player(n, &toB, done, replies))
	if err != nil {
		return nil, err
	}
	b, err := reactor.Spawn(sys, w1Player(n, &toA, done, replies))
	if err != nil {
		return nil, err
	}
	toA, toB = a, b
	both := func(v int64) func() error {
		return func() error {
			if err := a.Send(v); err != nil {
				return err
			}
			return b.Send(v)
		}
	}
	serve := func() error { return a.Send(1) }
	return W1Play(n, both, serve, done, replies, deadline.C)
}

// w1Player is the body of a ping-pong reactor. The setup query copies
// *peer into the reactor's state and confirms it on replies; message k
// signals done when k == n and sends k+1 to the peer otherwise; the count
// query replies with the number of messages received. A failed send is
// dead-lettered, which fails the run when the system is closed.
func w1Player(n int64, peer *reactor.Channel[int64], done chan<- struct{}, replies chan<- int64) func(*reactor.Reactor[int64]) {
	return func(r *reactor.Reactor[int64]) {
		var to reactor.Channel[int64]
		var recv int64
		r.Main().Events().OnEvent(func(k int64) {
			switch {
			case k > 0:
				recv++
				if k == n {
					done <- struct{}{}
				} else {
					_ = to.Send(k + 1)
				}
			case k == SetupQuery:
				to = *peer
				replies <- BoolInt(to != reactor.Channel[int64]{})
			default:
				replies <- recv
			}
		})
	}
}

// BoolInt returns 1 for true and 0 for false.
func BoolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
