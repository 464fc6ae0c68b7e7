package router_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

// greeter spawns a reactor that reports each greeting it handles on out.
func greeter(sys *reactor.System, name string, out chan<- string) reactor.Channel[string] {
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[string]) {
		r.Main().Events().OnEvent(func(s string) { out <- name + " got " + s })
	})
	if err != nil {
		panic(err)
	}
	return ch
}

func ExamplePost() {
	sys := reactor.New(reactor.WithDeadLetterHandler(func(d reactor.DeadLetter) {
		fmt.Println("dead letter:", d.Channel, d.Reason, d.Event)
	}))
	defer sys.Shutdown(context.Background())
	kinds := router.NewKinds(sys)

	// Two versions of one contract: explicit names stay valid across
	// renames and between programs.
	greetV1 := router.Kind[string]{Name: "example.greet", Version: 1}
	greetV2 := router.Kind[string]{Name: "example.greet", Version: 2}

	out := make(chan string)
	// Two redundant v1 handlers share the v1 greetings round-robin.
	if err := router.Handle(kinds, greetV1, greeter(sys, "a", out)); err != nil {
		panic(err)
	}
	if err := router.Handle(kinds, greetV1, greeter(sys, "b", out)); err != nil {
		panic(err)
	}
	if err := router.Handle(kinds, greetV2, greeter(sys, "c", out)); err != nil {
		panic(err)
	}

	// The sender names the kind, not a receiver.
	for _, s := range []string{"hello", "hi", "hey"} {
		if err := router.Post(kinds, greetV1, s); err != nil {
			panic(err)
		}
		fmt.Println(<-out)
	}
	if err := router.Post(kinds, greetV2, "salut"); err != nil {
		panic(err)
	}
	fmt.Println(<-out)

	// Nobody handles v3: the sender is told, and the greeting is
	// dead-lettered with reactor.ReasonNoRoute.
	err := router.Post(kinds, router.Kind[string]{Name: "example.greet", Version: 3}, "hallo")
	fmt.Println(errors.Is(err, router.ErrNoRoute))
	// Output:
	// a got hello
	// b got hi
	// a got hey
	// c got salut
	// dead letter: example.greet@v3 no-route hallo
	// true
}

func ExamplePostAll() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())
	kinds := router.NewKinds(sys)
	news := router.KindOf[string](1) // named after the Go type: "string"

	out := make(chan string)
	for _, name := range []string{"a", "b", "c"} {
		if err := router.Handle(kinds, news, greeter(sys, name, out)); err != nil {
			panic(err)
		}
	}
	if err := router.PostAll(kinds, news, "news"); err != nil {
		panic(err)
	}
	got := map[string]bool{}
	for range 3 {
		got[<-out] = true
	}
	fmt.Println(len(got), got["a got news"], got["b got news"], got["c got news"])
	// Output: 3 true true true
}

func ExampleKindChannel() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())
	kinds := router.NewKinds(sys)
	greet := router.Kind[string]{Name: "example.greet", Version: 1}

	// A channel for the kind, made before anyone handles it. Code that
	// takes a reactor.Channel can send by kind through it.
	ch, err := router.KindChannel(kinds, greet)
	if err != nil {
		panic(err)
	}
	fmt.Println(ch.Name())

	out := make(chan string)
	if err := router.Handle(kinds, greet, greeter(sys, "a", out)); err != nil {
		panic(err)
	}
	if err := ch.Send("hello"); err != nil {
		panic(err)
	}
	fmt.Println(<-out)
	// Output:
	// example.greet@v1
	// a got hello
}
