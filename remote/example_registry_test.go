package remote_test

import (
	"context"
	"fmt"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
)

// A watch of the registry says when a member exports a name; a
// NodeChannel then reaches that member's export.
func ExampleNode_WatchMembers() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())
	// With WithURL every node of one NATS deployment would share the
	// registry; here one node with its embedded server is the whole set.
	n, err := remote.Start(context.Background(), sys, remote.WithRegistry(), remote.WithNodeID("w1"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer n.Close(context.Background())

	w, _ := n.WatchMembers(0)
	defer w.Stop()
	done := make(chan struct{})
	worker, _ := reactor.Spawn(sys, func(r *reactor.Reactor[string]) {
		r.Main().Events().OnEvent(func(s string) {
			fmt.Println("worker got", s)
			close(done)
		})
	})
	if _, err := remote.Export(n, "workers", worker); err != nil {
		fmt.Println(err)
		return
	}
	for ev := range w.Changes() {
		if ev.Member.Exports("workers") {
			fmt.Println(ev.Change, ev.Member.ID, ev.Member.Names)
			break
		}
	}
	ch, _ := remote.NodeChannel[string](n, "w1", "workers")
	fmt.Println(ch.Name())
	_ = ch.Send("job 1")
	<-done
	// Output:
	// updated w1 [workers]
	// remote:workers@w1
	// worker got job 1
}
