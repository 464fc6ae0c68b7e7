// Command roundrobin is Reactors.IO's router example: a router reactor
// hands jobs to two workers in turn, and each worker reports what it did.
//
//	go run ./examples/roundrobin [-jobs 10]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

func main() {
	jobs := flag.Int("jobs", 10, "jobs to hand out")
	flag.Parse()
	if err := run(os.Stdout, *jobs); err != nil {
		fmt.Fprintln(os.Stderr, "roundrobin:", err)
		os.Exit(1)
	}
}

// report is what a worker did, sent when it stops.
type report struct {
	worker string
	jobs   []int
}

// worker returns the body of a worker reactor: it records the jobs it
// gets and reports them on a negative job.
func worker(name string, reports chan<- report) func(*reactor.Reactor[int]) {
	return func(r *reactor.Reactor[int]) {
		var done []int
		r.Main().Events().OnEvent(func(job int) {
			if job < 0 {
				reports <- report{worker: name, jobs: done}
				r.Main().Seal()
				return
			}
			done = append(done, job)
		})
	}
}

// run hands out jobs through a round-robin router reactor and prints each
// worker's share.
func run(w io.Writer, jobs int) error {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())

	reports := make(chan report, 2)
	rt := router.New(sys, "jobs", router.RoundRobin[int]())
	var workers []reactor.Channel[int]
	for _, name := range []string{"worker-1", "worker-2"} {
		ch, err := reactor.Spawn(sys, worker(name, reports), reactor.WithName(name))
		if err != nil {
			return err
		}
		workers = append(workers, ch)
	}
	if err := rt.Add(workers...); err != nil {
		return err
	}
	entry, err := router.Spawn(sys, rt, reactor.WithName("router"))
	if err != nil {
		return err
	}
	for job := range jobs {
		if err := entry.Send(job); err != nil {
			return err
		}
	}
	// Two stops through the same router reactor: round-robin gives each
	// worker one, and they arrive after every job (FIFO router -> worker).
	for range 2 {
		if err := entry.Send(-1); err != nil {
			return err
		}
	}
	var got []report
	for range 2 {
		got = append(got, <-reports)
	}
	slices.SortFunc(got, func(a, b report) int { return strings.Compare(a.worker, b.worker) })
	for _, r := range got {
		fmt.Fprintf(w, "%s handled %d jobs: %v\n", r.worker, len(r.jobs), r.jobs)
	}
	return nil
}
