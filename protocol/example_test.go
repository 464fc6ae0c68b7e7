package protocol_test

import (
	"context"
	"fmt"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/protocol"
	"github.com/reactors-go/reactors/reactor"
)

func ExampleInstall() {
	sys := reactor.New()
	defer func() { _ = sys.Shutdown(context.Background()) }()

	// A protocol written once, as an Install: it doubles each event.
	out := make(chan int, 2)
	double := protocol.Install[int](func(c *reactor.Connector[int]) events.Subscription {
		return c.Events().OnEvent(func(v int) { out <- 2 * v })
	})

	// Started as a reactor of its own, and as the body of a reactor
	// spawned with options of the caller's choice.
	own, _ := protocol.Spawn(sys, double)
	named, _ := reactor.Spawn(sys, protocol.Body(double), reactor.WithName("doubler"))
	_ = own.Send(1)
	fmt.Println(<-out)
	_ = named.Send(21)
	fmt.Println(<-out)
	// Output:
	// 2
	// 42
}
