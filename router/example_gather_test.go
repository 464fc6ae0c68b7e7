package router_test

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

// lookup asks a replica for a key; it carries the channel to answer on.
type lookup struct {
	key   string
	reply reactor.Channel[string]
}

// lookupOf builds the request sent to one replica.
func lookupOf(key string) func(reply reactor.Channel[string]) lookup {
	return func(reply reactor.Channel[string]) lookup { return lookup{key: key, reply: reply} }
}

// replica starts a reactor that answers lookups with the key and its
// name, or, if it is silent, never answers.
func replica(sys *reactor.System, name string, silent bool) reactor.Channel[lookup] {
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[lookup]) {
		r.Main().Events().OnEvent(func(l lookup) {
			if !silent {
				_ = l.reply.Send(l.key + "@" + name)
			}
		})
	})
	if err != nil {
		panic(err)
	}
	return ch
}

func ExampleScatterGather() {
	sys := reactor.New()
	defer func() { _ = sys.Shutdown(context.Background()) }()
	replicas := []reactor.Channel[lookup]{
		replica(sys, "a", false), replica(sys, "b", false), replica(sys, "c", false),
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// n = 0: wait for every replica. The replies come in arrival order.
	replies, err := router.ScatterGather(ctx, sys, replicas, lookupOf("k"), 0)
	slices.Sort(replies)
	fmt.Println(replies, err)
	// Output:
	// [k@a k@b k@c] <nil>
}

func ExampleTailChop() {
	sys := reactor.New()
	defer func() { _ = sys.Shutdown(context.Background()) }()
	// a never answers: 10ms later b is asked too, and answers. c is asked
	// only if b has not answered 10ms after that, and would not answer.
	replicas := []reactor.Channel[lookup]{
		replica(sys, "a", true), replica(sys, "b", false), replica(sys, "c", true),
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	reply, err := router.TailChop(ctx, sys, replicas, lookupOf("k"), 10*time.Millisecond)
	fmt.Println(reply, err)
	// Output:
	// k@b <nil>
}

func ExampleScatterGatherIn() {
	sys := reactor.New()
	defer func() { _ = sys.Shutdown(context.Background()) }()
	replicas := []reactor.Channel[lookup]{replica(sys, "a", false), replica(sys, "b", false)}

	done := make(chan struct{})
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[string]) {
		// Inside a reactor nothing blocks: the gather completes an IVar
		// in a later turn. Handle both its value and its failure.
		iv := router.ScatterGatherIn(r, replicas, lookupOf("k"), 0, 5*time.Second)
		iv.Subscribe(&events.Funcs[[]string]{
			Event: func(replies []string) {
				slices.Sort(replies)
				fmt.Println(replies)
			},
			Error: func(err error) { fmt.Println("failed:", err) },
			Done: func() {
				r.Main().Seal()
				close(done)
			},
		})
	})
	if err != nil {
		panic(err)
	}
	<-done
	// Output:
	// [k@a k@b]
}
