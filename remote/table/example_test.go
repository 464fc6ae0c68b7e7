package table_test

import (
	"context"
	"fmt"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/table"
)

// A table over the nodes that open it; here one node with its embedded
// server (with WithURL every node of one NATS deployment would share it,
// as examples/cluster shows).
func ExampleOpen() {
	ctx := context.Background()
	sys := reactor.New()
	defer sys.Shutdown(ctx)
	n, err := remote.Start(context.Background(), sys, remote.WithRegistry(), remote.WithNodeID("n1"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer n.Close(ctx)

	stock, err := table.Open[string, int](ctx, n, "stock", dht.StringKey, table.Config[int]{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stock.Close(ctx)
	_, _, _ = stock.Put(ctx, "apples", 3)
	swapped, _ := stock.CompareAndSwap(ctx, "apples", 3, 5)
	v, ok, _ := stock.Get(ctx, "apples")
	owner, _ := stock.Owner("apples")
	size, _ := stock.Len(ctx)
	fmt.Println(swapped, v, ok, owner, size, stock.Members())
	// Output: true 5 true n1 1 [n1]
}

// What a member reports of its part of a durable table: here the only
// member holds every slot, made no grave (its layout is the table's
// first), loaded the bucket once when it opened, and stored two writes.
func ExampleTable_Stats() {
	ctx := context.Background()
	sys := reactor.New()
	defer sys.Shutdown(ctx)
	n, err := remote.Start(ctx, sys, remote.WithRegistry(), remote.WithNodeID("n1"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer n.Close(ctx)
	stock, err := table.Open[string, int](ctx, n, "stock", dht.StringKey, table.Config[int]{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stock.Close(ctx)
	_, _, _ = stock.Put(ctx, "apples", 3)
	_, _, _ = stock.Put(ctx, "pears", 4)
	st := stock.Stats()
	fmt.Println(st.Members, st.Slots, st.Keys, st.Durable, st.Stored, st.Refused, st.Graves, st.Loads)
	// Output: [n1] 1024 2 true 2 0 0 1
}
