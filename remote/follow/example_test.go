package follow_test

import (
	"context"
	"fmt"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/follow"
	"github.com/reactors-go/reactors/router"
)

// A router bound by Router has as its targets the NodeChannels of the
// registry members that export a name, kept up to date as exporters come
// and go. The router learns of a change before the node's member watches
// do, so once a watch shows the exporter, a send through the router
// reaches it. Here one node with its embedded server is the whole
// registry (remote's ExampleNode_WatchMembers shows the registry itself).
func ExampleRouter() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())
	rt := router.New(sys, "workers", router.RoundRobin[string]())
	n, err := remote.Start(context.Background(), sys, remote.WithRegistry(), remote.WithNodeID("w1"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer n.Close(context.Background())

	b, _ := follow.Router(n, "workers", rt)
	defer b.Stop()
	fmt.Println(len(rt.Targets()), "targets before any export")

	w, _ := n.WatchMembers(0)
	defer w.Stop()
	got := make(chan string, 1)
	worker, _ := reactor.Spawn(sys, func(r *reactor.Reactor[string]) {
		r.Main().Events().OnEvent(func(s string) { got <- s })
	})
	if _, err := remote.Export(n, "workers", worker); err != nil {
		fmt.Println(err)
		return
	}
	for ev := range w.Changes() {
		if ev.Member.Exports("workers") {
			break // the router has the new target already
		}
	}
	fmt.Println(rt.Targets()[0].Name())
	_ = rt.Channel().Send("job 1")
	fmt.Println("worker got", <-got)
	// Output:
	// 0 targets before any export
	// remote:workers@w1
	// worker got job 1
}
