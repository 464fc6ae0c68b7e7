package reactor_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// The package example: a reactor prints the event it receives. Waiting
// for the reactor to terminate before Shutdown makes the print certain;
// Shutdown alone may stop the reactor before its first turn.
func Example() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())
	ch, _ := reactor.Spawn(sys, func(r *reactor.Reactor[string]) {
		r.Main().Events().OnEvent(func(s string) {
			fmt.Println(s)
			r.Main().Seal() // no more events: the reactor terminates
		})
	})
	ch.Send("hello")
	<-ch.Done() // the event is handled before Shutdown stops the reactor
	// Output: hello
}

func ExampleSpawn() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())

	done := make(chan int)
	counter, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		total := 0 // the reactor's state: handlers never run concurrently
		r.Main().Events().OnEvent(func(n int) {
			if n == 0 {
				done <- total
				r.Main().Seal()
				return
			}
			total += n
		})
	})
	if err != nil {
		panic(err)
	}
	for i := 1; i <= 10; i++ {
		counter.Send(i)
	}
	counter.Send(0)
	fmt.Println(<-done)
	// Output: 55
}

func ExampleOpen() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())

	out := make(chan string)
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		// A second connector, carrying another type.
		names, err := reactor.Open[string](r, reactor.Named("names"))
		if err != nil {
			panic(err)
		}
		names.Events().OnEvent(func(s string) { out <- "hello, " + s })
		names.Channel().Send("reactor")
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(<-out)
	// Output: hello, reactor
}

func ExampleRun() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())

	// Run makes the calling goroutine a reactor until it terminates.
	err := reactor.Run(sys, func(r *reactor.Reactor[string]) {
		r.Main().Events().OnEvent(func(s string) {
			fmt.Println(s)
			r.Main().Seal()
		})
		r.Main().Channel().Send("running on the caller's goroutine")
	})
	fmt.Println("err:", err)
	// Output:
	// running on the caller's goroutine
	// err: <nil>
}

func ExampleAwait() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())

	got := make(chan string)
	go func() {
		// Waits until a reactor named "greeter" registers its main channel.
		ch, err := reactor.Await[string](context.Background(), sys, "greeter#main")
		if err != nil {
			panic(err)
		}
		ch.Send("found by name")
	}()
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[string]) {
		r.Main().Events().OnEvent(func(s string) { got <- s })
	}, reactor.WithName("greeter"))
	if err != nil {
		panic(err)
	}
	fmt.Println(<-got)
	// Output: found by name
}

func ExampleAfter() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())

	fired := make(chan string)
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		reactor.After(r, 10*time.Millisecond).OnEvent(func(struct{}) {
			fired <- "fired"
			r.Main().Seal()
		})
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(<-fired)
	// Output: fired
}

func ExampleThrottle() {
	sys := reactor.New()
	defer func() { _ = sys.Shutdown(context.Background()) }()

	done := make(chan struct{})
	_, _ = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		// A burst of three events leaves 10ms apart.
		var burst events.Emitter[string]
		every := func(string) time.Duration { return 10 * time.Millisecond }
		reactor.Throttle(r, burst.Events(), every).OnEventOrDone(
			func(s string) { fmt.Println(s) },
			func() {
				fmt.Println("done")
				r.Main().Seal()
				close(done)
			})
		burst.Emit("a")
		burst.Emit("b")
		burst.Emit("c")
		burst.Close()
	})
	<-done
	// Output:
	// a
	// b
	// c
	// done
}

func ExampleTimeout() {
	sys := reactor.New()
	defer func() { _ = sys.Shutdown(context.Background()) }()

	done := make(chan struct{})
	_, _ = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		var never events.IVar[string] // an answer that does not come
		reactor.Timeout(r, never.Events(), 10*time.Millisecond).Subscribe(&events.Funcs[string]{
			Event: func(s string) { fmt.Println(s) },
			Error: func(err error) { fmt.Println(err, errors.Is(err, reactor.ErrTimeout)) },
			Done: func() {
				r.Main().Seal()
				close(done)
			},
		})
	})
	<-done
	// Output:
	// reactor: timeout: no event for 10ms true
}

func ExampleWithRestart() {
	sys := reactor.New(reactor.WithFailureHandler(func(f reactor.Failure) {
		fmt.Println("failed:", f.Err, "final:", f.Final)
	}))
	defer sys.Shutdown(context.Background())

	out := make(chan string)
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[string]) {
		out <- fmt.Sprint("incarnation ", r.Restarts())
		r.Main().Events().OnEvent(func(s string) {
			if s == "bad" {
				panic("cannot handle " + s)
			}
			out <- s
		})
	}, reactor.WithRestart(reactor.RestartPolicy{MaxRestarts: 3, Window: time.Minute}))
	if err != nil {
		panic(err)
	}
	fmt.Println(<-out)
	ch.Send("bad")
	fmt.Println(<-out)
	ch.Send("good") // the same channel reaches the new incarnation
	fmt.Println(<-out)
	// Output:
	// incarnation 0
	// failed: reactor: panic: cannot handle bad final: false
	// incarnation 1
	// good
}
