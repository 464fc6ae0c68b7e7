package retry_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/protocol/retry"
	"github.com/reactors-go/reactors/reactor"
)

func ExampleExponential() {
	b := retry.Exponential(5, 100*time.Millisecond, 2, time.Second)
	for k := 0; ; k++ {
		d, ok := b.Delay(k)
		if !ok {
			break
		}
		fmt.Println(k, d)
	}
	// Output:
	// 0 100ms
	// 1 200ms
	// 2 400ms
	// 3 800ms
	// 4 1s
}

func ExampleJittered() {
	// Equal jitter: each delay in [d/2, d]. A scripted random source makes
	// the schedule reproducible; pass nil for math/rand/v2.
	rs := []float64{0, 0.5, 0.99}
	b := retry.Jittered(retry.Regular(3, time.Second), 0.5, func() float64 {
		r := rs[0]
		rs = rs[1:]
		return r
	})
	for k := range 3 {
		d, _ := b.Delay(k)
		fmt.Println(d)
	}
	// Output:
	// 1s
	// 750ms
	// 505ms
}

// query asks the lossy server of ExampleEvents for an answer; attempt
// tells the answers of the attempts apart.
type query struct {
	attempt int
	reply   reactor.Channel[answer]
}

type answer struct {
	attempt int
	value   string
}

func ExampleEvents() {
	sys := reactor.New()
	defer func() { _ = sys.Shutdown(context.Background()) }()

	// A server that loses two queries out of three.
	server, _ := reactor.Spawn(sys, func(r *reactor.Reactor[query]) {
		received := 0
		r.Main().Events().OnEvent(func(q query) {
			if received++; received%3 == 0 {
				_ = q.reply.Send(answer{q.attempt, "42"})
			}
		})
	})

	done := make(chan struct{})
	_, _ = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		replies, _ := reactor.Open[answer](r, reactor.Daemon())
		// Each attempt sends a query and watches for its own answer.
		attempt := func(n int) events.Events[string] {
			_ = server.Send(query{n, replies.Channel()})
			mine := replies.Events().Filter(func(a answer) bool { return a.attempt == n })
			return events.Map(mine, func(a answer) string { return fmt.Sprintf("%s (attempt %d)", a.value, a.attempt) })
		}
		b := retry.Regular(5, 20*time.Millisecond)
		retry.Events(r, b, attempt).Once().Subscribe(&events.Funcs[string]{
			Event: func(v string) { fmt.Println(v) },
			Error: func(err error) { fmt.Println(err) },
			Done: func() {
				replies.Seal()
				r.Main().Seal()
				close(done)
			},
		})
	})
	<-done
	// Output:
	// 42 (attempt 2)
}

func ExampleDo() {
	errBusy := errors.New("busy")
	b := retry.Exponential(5, time.Millisecond, 2, 0)
	err := retry.Do(context.Background(), b, func(ctx context.Context, attempt int) error {
		fmt.Println("attempt", attempt)
		if attempt < 2 {
			return errBusy
		}
		return nil
	})
	fmt.Println(err)

	err = retry.Do(context.Background(), retry.Regular(2, time.Millisecond), func(context.Context, int) error {
		return errBusy
	})
	fmt.Println(err)
	fmt.Println(errors.Is(err, retry.ErrExhausted), errors.Is(err, errBusy))
	// Output:
	// attempt 0
	// attempt 1
	// attempt 2
	// <nil>
	// retry: exhausted after 2 attempts: attempt 1: busy
	// true true
}
