// Command durableproc is a node of a durable name, run as a process of
// its own by the tests of package durable: a sender that stores a range
// of numbered events, or a receiver that hands them to a reactor. Both
// connect to the NATS server at -url. Every line it prints is a fact the
// test checks, written (unbuffered) only once the fact holds:
//
//	durableproc send -url URL -name NAME -from A -to B
//	    "sent V" once Send(V) returned nil (V stored), for V in [A, B);
//	    then "done", and it exits 0.
//	durableproc recv -url URL -name NAME [-ackwait D] [-maxpending N]
//	    "ready" once exported; "got V ATTEMPT" for each delivery, printed
//	    by the handler before it acknowledges the delivery.
//
// Events carry their number as their id ([durable.Config.ID]), so a
// sender started again from its last "sent" line stores nothing twice.
// SIGTERM ends either gracefully (export and node closed), exit 0.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/durable"
)

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: durableproc send|recv [flags]"))
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	url := fs.String("url", "", "NATS server URL")
	name := fs.String("name", "events", "durable name")
	from := fs.Int("from", 0, "send: first value")
	to := fs.Int("to", 0, "send: value after the last")
	ackWait := fs.Duration("ackwait", durable.DefaultAckWait, "recv: AckWait")
	maxPending := fs.Int("maxpending", durable.DefaultMaxPending, "recv: MaxPending")
	_ = fs.Parse(os.Args[2:])

	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	sys := reactor.New(reactor.WithLogger(zerolog.New(os.Stderr).Level(zerolog.WarnLevel)))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := remote.Start(ctx, sys, remote.WithURL(*url), remote.WithReconnect(10*time.Millisecond, -1))
	if err != nil {
		fail(err)
	}
	cfg := durable.Config[int]{ID: strconv.Itoa, AckWait: *ackWait, MaxPending: *maxPending}
	switch os.Args[1] {
	case "send":
		send(ctx, n, *name, cfg, *from, *to, term)
	case "recv":
		recv(ctx, n, *name, cfg, term)
	default:
		fail(fmt.Errorf("unknown command %q", os.Args[1]))
	}
	closeCtx, cancelClose := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelClose()
	if err := n.Close(closeCtx); err != nil {
		fail(err)
	}
	if err := sys.Shutdown(closeCtx); err != nil {
		fail(err)
	}
}

// out writes lines to stdout, unbuffered, one at a time.
var out sync.Mutex

func say(format string, args ...any) {
	out.Lock()
	defer out.Unlock()
	if _, err := fmt.Fprintf(os.Stdout, format+"\n", args...); err != nil {
		os.Exit(3) // the test stopped reading
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "durableproc:", err)
	os.Exit(2)
}

func send(ctx context.Context, n *remote.Node, name string, cfg durable.Config[int], from, to int, term <-chan os.Signal) {
	ch, err := durable.Channel(ctx, n, name, cfg)
	if err != nil {
		fail(err)
	}
	for v := from; v < to; v++ {
		select {
		case <-term:
			return
		default:
		}
		if err := ch.Send(v); err != nil {
			fail(fmt.Errorf("send %d: %w", v, err))
		}
		say("sent %d", v)
	}
	say("done")
}

func recv(ctx context.Context, n *remote.Node, name string, cfg durable.Config[int], term <-chan os.Signal) {
	ch, err := reactor.Spawn(n.System(), func(r *reactor.Reactor[durable.Delivery[int]]) {
		r.Main().Events().OnEvent(func(d durable.Delivery[int]) {
			say("got %d %d", d.Value, d.Attempt)
			d.Ack()
		})
	})
	if err != nil {
		fail(err)
	}
	x, err := durable.Export(ctx, n, name, ch, cfg)
	if err != nil {
		fail(err)
	}
	say("ready")
	<-term
	closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := x.Close(closeCtx); err != nil {
		fail(err)
	}
}
