// Command dashboard runs a live workload and serves the debug page of its
// reactor system, to show what package [debug] shows: a dispatcher that
// sends jobs through a round-robin router to four workers, which report
// to a collector; goroutines reading and writing a sharded table; a
// reactor that fails now and then under a restart policy; a dead letter
// every second; and events to the collector through an embedded NATS
// node.
//
//	go run ./examples/dashboard [-addr 127.0.0.1:6060] [-for 0]
//
// Then open http://127.0.0.1:6060/debug/reactors/ in a browser.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/reactors-go/reactors/debug"
	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/router"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6060", "where to serve the debug page")
	runFor := flag.Duration("for", 0, "stop after this long (0: run until interrupted)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *runFor > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *runFor)
		defer cancel()
	}
	ln, err := net.Listen("tcp", *addr)
	if err == nil {
		fmt.Printf("serving the debug page on http://%s/debug/reactors/\n", ln.Addr())
		err = run(ctx, ln)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dashboard:", err)
		os.Exit(1)
	}
}

// run runs the workload and serves its page on ln until ctx ends.
func run(ctx context.Context, ln net.Listener) error {
	sys := reactor.New(reactor.WithIntrospection(), reactor.WithLogger(zerolog.Nop()))
	defer sys.Shutdown(context.Background())
	w, err := startWorkload(sys)
	if err != nil {
		ln.Close()
		return err
	}
	defer w.stop()
	mux := http.NewServeMux()
	mux.Handle("/debug/reactors/", http.StripPrefix("/debug/reactors", w.handler()))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shut)
}

// Job is a unit of work for the workers.
type Job struct {
	ID   int
	Size int
}

// workload is the running demonstration.
type workload struct {
	sys       *reactor.System
	jobs      *router.Router[Job]
	table     *dht.Table[string, int]
	node      *remote.Node         // an embedded NATS node exporting the collector
	remote    reactor.Channel[int] // the collector, through NATS
	collected atomic.Int64
	tableOps  atomic.Int64
	quit      chan struct{}
	wg        sync.WaitGroup
}

// startWorkload spawns the reactors and starts the table's clients; stop
// ends the clients (Shutdown ends the reactors).
func startWorkload(sys *reactor.System) (*workload, error) {
	w := &workload{sys: sys, quit: make(chan struct{})}
	collector, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) { w.collected.Add(1) })
	}, reactor.WithName("collector"))
	if err != nil {
		return nil, err
	}
	w.jobs = router.New(sys, "jobs", router.RoundRobin[Job]())
	for i := 1; i <= 4; i++ {
		worker, err := reactor.Spawn(sys, func(r *reactor.Reactor[Job]) {
			r.Main().Events().OnEvent(func(j Job) {
				sum := 0
				for k := range j.Size * 100 {
					sum += k % 7
				}
				_ = collector.Send(sum)
			})
		}, reactor.WithName("worker-"+strconv.Itoa(i)))
		if err != nil {
			return nil, err
		}
		if err := w.jobs.Add(worker); err != nil {
			return nil, err
		}
	}
	jobs := w.jobs.Channel()
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		next := 0
		reactor.Periodic(r, 10*time.Millisecond).OnEvent(func(int64) {
			for range 20 {
				next++
				_ = jobs.Send(Job{ID: next, Size: 1 + next%10})
			}
		})
	}, reactor.WithName("dispatcher"))
	if err != nil {
		return nil, err
	}
	// A reactor that fails every fifth tick, restarted each time.
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		ticks := 0
		reactor.Periodic(r, time.Second).OnEvent(func(int64) {
			if ticks++; ticks%5 == 0 {
				panic(errors.New("flaky: a failure on purpose"))
			}
		})
	}, reactor.WithName("flaky"), reactor.WithRestart(reactor.RestartPolicy{MaxRestarts: 1 << 30, Window: time.Minute}))
	if err != nil {
		return nil, err
	}
	// A reactor gone for good, and one that sends to it every second: a
	// dead letter each time.
	gone, err := reactor.Spawn(sys, func(r *reactor.Reactor[string]) { r.Main().Seal() }, reactor.WithName("retired"))
	if err != nil {
		return nil, err
	}
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		reactor.Periodic(r, time.Second).OnEvent(func(int64) { _ = gone.Send("are you there?") })
	}, reactor.WithName("caller"))
	if err != nil {
		return nil, err
	}
	w.table, err = dht.New[string, int](sys, 8, dht.StringKey, dht.WithName("kv"))
	if err != nil {
		return nil, err
	}
	// The collector also takes events through NATS (an embedded server
	// in this process, no port opened), which the remote panel shows.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if w.node, err = remote.Start(ctx, sys); err != nil {
		return nil, err
	}
	if _, err = remote.Export(w.node, "collector", collector); err != nil {
		return nil, err
	}
	if w.remote, err = remote.Channel[int](w.node, "collector"); err != nil {
		return nil, err
	}
	for c := range 2 {
		w.wg.Add(1)
		go w.client(c)
	}
	return w, nil
}

// client reads and writes the table until stop, a few hundred times a
// second.
func (w *workload) client(id int) {
	defer w.wg.Done()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	ctx := context.Background()
	for n := 0; ; n++ {
		select {
		case <-w.quit:
			return
		case <-tick.C:
		}
		key := "key-" + strconv.Itoa((id*7919+n)%500)
		if _, _, err := w.table.Put(ctx, key, n); err != nil {
			return
		}
		if _, _, err := w.table.Get(ctx, key); err != nil {
			return
		}
		w.tableOps.Add(2)
		_ = w.remote.Send(n)
	}
}

func (w *workload) stop() {
	close(w.quit)
	w.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = w.node.Close(ctx)
}

// handler is the debug page of the workload's system, with panels for
// the router, the table and the workload's own counters.
func (w *workload) handler() http.Handler {
	return debug.Handler(w.sys,
		debug.WithPanel("router jobs", func() any { return w.jobs.Stats() }),
		debug.WithPanel("table kv", func() any { return w.table.Stats() }),
		debug.WithPanel("remote node", func() any { return w.node.Stats() }),
		debug.WithPanel("workload", func() any {
			return map[string]int64{
				"jobs collected":      w.collected.Load(),
				"table ops":           w.tableOps.Load(),
				"table keys (of 500)": int64(w.tableLen()),
			}
		}))
}

func (w *workload) tableLen() int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	n, err := w.table.Len(ctx)
	if err != nil {
		return -1
	}
	return n
}
