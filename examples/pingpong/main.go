// Command pingpong bounces a counter between two reactors and prints the
// rate: the smallest complete program of the framework.
//
//	go run ./examples/pingpong [-n 1000000]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/reactors-go/reactors/reactor"
)

func main() {
	n := flag.Int("n", 1_000_000, "messages to bounce")
	flag.Parse()
	if err := run(os.Stdout, *n); err != nil {
		fmt.Fprintln(os.Stderr, "pingpong:", err)
		os.Exit(1)
	}
}

// ball is the event: the counter, and where to send it next.
type ball struct {
	count int
	from  reactor.Channel[ball]
}

// player returns the body of a reactor that hits the ball back until it
// reaches n, then reports the total number of hits it made.
func player(n int, hits chan<- int) func(*reactor.Reactor[ball]) {
	return func(r *reactor.Reactor[ball]) {
		self := r.Main().Channel()
		made := 0
		r.Main().Events().OnEvent(func(b ball) {
			if b.count < n {
				made++
				_ = b.from.Send(ball{count: b.count + 1, from: self})
				return
			}
			// The last hit: tell the other player, then stop.
			if b.count == n {
				_ = b.from.Send(ball{count: n + 1, from: self})
			}
			hits <- made
			r.Main().Seal()
		})
	}
}

// run plays n hits and writes the rate to w.
func run(w io.Writer, n int) error {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())

	hits := make(chan int, 2)
	ping, err := reactor.Spawn(sys, player(n, hits), reactor.WithName("ping"))
	if err != nil {
		return err
	}
	pong, err := reactor.Spawn(sys, player(n, hits), reactor.WithName("pong"))
	if err != nil {
		return err
	}
	start := time.Now()
	if err := ping.Send(ball{count: 1, from: pong}); err != nil {
		return err
	}
	total := <-hits + <-hits
	elapsed := time.Since(start)
	<-ping.Done()
	<-pong.Done()
	if total != n-1 {
		return fmt.Errorf("counted %d hits, want %d", total, n-1)
	}
	fmt.Fprintf(w, "%d messages in %v: %.1f ns/message, %.1f M messages/s\n",
		n, elapsed.Round(time.Microsecond), float64(elapsed.Nanoseconds())/float64(n),
		float64(n)/elapsed.Seconds()/1e6)
	return nil
}
