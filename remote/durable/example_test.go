package durable_test

import (
	"context"
	"fmt"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/durable"
)

type order struct {
	Key   string
	Items int
}

// Example sends orders on a durable channel before anything exports the
// name, then exports it: the stream kept them. (The lone node here keeps
// its JetStream in a temporary directory; real nodes reach a NATS
// deployment with remote.WithURL, or form a cluster.)
func Example() {
	ctx := context.Background()
	sys := reactor.New()
	defer sys.Shutdown(ctx)
	n, err := remote.Start(ctx, sys, remote.WithRegistry())
	if err != nil {
		panic(err)
	}
	defer n.Close(ctx)
	cfg := durable.Config[order]{ID: func(o order) string { return o.Key }}

	orders, err := durable.Channel(ctx, n, "orders", cfg)
	if err != nil {
		panic(err)
	}
	for _, o := range []order{{"a-1", 2}, {"a-2", 5}, {"a-1", 2}} { // a-1 twice: stored once
		if err := orders.Send(o); err != nil {
			panic(err)
		}
	}

	done := make(chan struct{})
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[durable.Delivery[order]]) {
		r.Main().Events().OnEvent(func(d durable.Delivery[order]) {
			fmt.Printf("%s: %d items (attempt %d)\n", d.ID, d.Value.Items, d.Attempt)
			d.Ack() // taken: JetStream removes it
			if d.ID == "a-2" {
				close(done)
			}
		})
	})
	if err != nil {
		panic(err)
	}
	x, err := durable.Export(ctx, n, "orders", ch, cfg)
	if err != nil {
		panic(err)
	}
	defer x.Close(ctx)
	<-done
	// Output:
	// a-1: 2 items (attempt 1)
	// a-2: 5 items (attempt 1)
}
