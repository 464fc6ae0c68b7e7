package router_test

import (
	"context"
	"fmt"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

// A single goroutine hands jobs to three workers in turn through its own
// Producer; each worker counts its jobs and answers a final -1 with the
// count.
func ExampleRouter_Producer() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())
	counts := make(chan int, 3)
	rt := router.New(sys, "jobs", router.RoundRobin[int]())
	var workers []reactor.Channel[int]
	for range 3 {
		w, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			n := 0
			r.Main().Events().OnEvent(func(job int) {
				if job < 0 {
					counts <- n
					return
				}
				n++
			})
		})
		if err != nil {
			panic(err)
		}
		workers = append(workers, w)
	}
	if err := rt.Add(workers...); err != nil {
		panic(err)
	}
	p := rt.Producer() // for this goroutine only
	for job := range 300 {
		if err := p.Send(job); err != nil {
			panic(err)
		}
	}
	for _, w := range workers {
		_ = w.Send(-1) // after the jobs this goroutine routed to w
	}
	fmt.Println(<-counts, <-counts, <-counts)
	// Output:
	// 100 100 100
}
