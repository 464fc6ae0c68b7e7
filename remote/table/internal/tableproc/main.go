// Command tableproc is a member of a durable table in a process of its
// own, for the crash tests of package table: it joins the table "kv" on
// the NATS server at -url as node -id, says "ready", then runs random
// operations (internal/kvcheck) from -workers goroutines until it gets
// SIGTERM, when it closes the table and its node and exits 0.
//
// Each operation is two lines on standard output: "call <op> <kind> <key>
// <val> <old> <nanos>" before it starts and "ret <op> <val> <ok>
// <nanos>" (or "err <op> <message>") once it returned, op being
// "<client>.<n>" and nanos the wall clock, so that the test can order
// operations of all processes. A process killed between the two lines
// leaves an operation whose result is unknown.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/internal/kvcheck"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/table"
)

func main() {
	url := flag.String("url", "", "NATS server URL")
	id := flag.String("id", "", "node id")
	ttl := flag.Duration("ttl", 2*time.Second, "registry lease time")
	client := flag.Int("client", 0, "client number: values this process writes are unique to it")
	workers := flag.Int("workers", 4, "goroutines running operations")
	keys := flag.Int("keys", 20, "keys operated on")
	pause := flag.Duration("pause", time.Millisecond, "pause between two operations of a worker")
	flag.Parse()
	if err := run(*url, *id, *ttl, *client, *workers, *keys, *pause); err != nil {
		fmt.Fprintln(os.Stderr, "tableproc:", err)
		os.Exit(1)
	}
}

// out writes whole lines to standard output, one goroutine at a time.
var out sync.Mutex

func say(format string, args ...any) {
	out.Lock()
	defer out.Unlock()
	fmt.Printf(format+"\n", args...)
}

func run(url, id string, ttl time.Duration, client, workers, keys int, pause time.Duration) error {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM)
	sys := reactor.New(reactor.WithLogger(zerolog.New(os.Stderr).Level(zerolog.WarnLevel)))
	defer sys.Shutdown(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := remote.Start(ctx, sys, remote.WithURL(url), remote.WithRegistry(), remote.WithNodeID(id), remote.WithLeaseTTL(ttl))
	if err != nil {
		return err
	}
	defer n.Close(context.Background())
	tb, err := table.Open[string, int](ctx, n, "kv", dht.StringKey, table.Config[int]{})
	if err != nil {
		return err
	}
	say("ready")
	life, end := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { work(life, tb, client*workers+w, keys, pause) })
	}
	<-stop
	end()
	wg.Wait()
	closing, cancelClose := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelClose()
	if err := tb.Close(closing); err != nil {
		// What the member was waiting for, for the test's log.
		fmt.Fprintf(os.Stderr, "%+v\n", tb.Stats())
		_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
		return err
	}
	return nil
}

// work runs operations until life ends; each operation has 5 s.
func work(life context.Context, tb *table.Table[string, int], client, keys int, pause time.Duration) {
	rng := rand.New(rand.NewPCG(uint64(client), uint64(time.Now().UnixNano())))
	for i := 0; life.Err() == nil; i++ {
		in := kvcheck.Random(rng, client, i, keys)
		op := fmt.Sprintf("%d.%d", client, i)
		say("call %s %d %s %d %d %d", op, in.Kind, in.Key, in.Val, in.Old, time.Now().UnixNano())
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		o, err := kvcheck.Apply(ctx, tb, tb.CompareAndSwap, in)
		cancel()
		if err != nil {
			say("err %s %q", op, err.Error())
		} else {
			say("ret %s %d %v %d", op, o.Val, o.OK, time.Now().UnixNano())
		}
		time.Sleep(pause)
	}
}
