package router_test

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

// Servers under "srv" share requests round-robin through "srv/?"; every
// client under "cli" hears announcements sent to "cli/*".
func ExamplePaths() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())

	var mu sync.Mutex
	var log []string
	var wg sync.WaitGroup
	spawn := func(name string) reactor.Channel[string] {
		ch, _ := reactor.Spawn(sys, func(r *reactor.Reactor[string]) {
			r.Main().Events().OnEvent(func(s string) {
				mu.Lock()
				log = append(log, name+" got "+s)
				mu.Unlock()
				wg.Done()
			})
		})
		return ch
	}

	paths := router.NewPaths[string](sys)
	paths.SetPolicy("srv", router.RoundRobin[string]())
	paths.SetPolicy("cli", router.Broadcast[string]())
	paths.Register("srv/s1", spawn("s1"))
	paths.Register("srv/s2", spawn("s2"))
	paths.Register("cli/c1", spawn("c1"))
	paths.Register("cli/c2", spawn("c2"))

	wg.Add(5)
	paths.Send("srv/?", "q1")
	paths.Send("srv/?", "q2")
	paths.Send("srv/?", "q3")
	paths.Send("cli/*", "news")
	err := paths.Send("srv/*", "oops") // srv's policy selects; it does not broadcast
	fmt.Println(err)
	wg.Wait()

	sort.Strings(log)
	for _, l := range log {
		fmt.Println(l)
	}
	// Output:
	// router: marker does not match the path's policy: "srv/*": marker "*"
	// c1 got news
	// c2 got news
	// s1 got q1
	// s1 got q3
	// s2 got q2
}
