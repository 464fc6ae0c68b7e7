package backpressure_test

import (
	"context"
	"fmt"

	"github.com/reactors-go/reactors/protocol/backpressure"
	"github.com/reactors-go/reactors/reactor"
)

func ExampleValve() {
	sys := reactor.New()
	defer func() { _ = sys.Shutdown(context.Background()) }()

	// The consumer: a pump that lets at most 2 events be in flight and
	// returns their credits once per turn.
	pumps := make(chan reactor.Channel[backpressure.Packet[string]], 1)
	done := make(chan struct{})
	_, _ = reactor.Spawn(sys, func(r *reactor.Reactor[struct{}]) {
		pm, _ := backpressure.NewPump[string](r, backpressure.Batching(2))
		pumps <- pm.Channel()
		pm.Events().OnEvent(func(s string) {
			fmt.Println(s)
			if s == "e" {
				close(done)
			}
		})
	})
	pump := <-pumps

	// The producer sends whenever its valve has credit, never blocking.
	_, _ = reactor.Spawn(sys, func(r *reactor.Reactor[struct{}]) {
		v, _ := backpressure.NewValve(r, pump)
		todo := []string{"a", "b", "c", "d", "e"}
		v.Available().Changes().OnEvent(func(ok bool) {
			for ok && len(todo) > 0 && v.Send(todo[0]) == nil {
				todo = todo[1:]
			}
		})
	})
	<-done
	// Output:
	// a
	// b
	// c
	// d
	// e
}

func ExampleBlockingValve() {
	sys := reactor.New()
	defer func() { _ = sys.Shutdown(context.Background()) }()

	pumps := make(chan reactor.Channel[backpressure.Packet[int]], 1)
	sum := make(chan int, 1)
	_, _ = reactor.Spawn(sys, func(r *reactor.Reactor[struct{}]) {
		pm, _ := backpressure.NewPump[int](r, backpressure.Sliding(4))
		pumps <- pm.Channel()
		total := 0
		pm.Events().OnEvent(func(n int) {
			if total += n; n == 100 {
				sum <- total
			}
		})
	})

	// A plain goroutine waits for credit with Offer.
	b, _ := backpressure.NewBlockingValve(<-pumps)
	for n := 1; n <= 100; n++ {
		if err := b.Offer(context.Background(), n); err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println(<-sum)
	// Output: 5050
}
