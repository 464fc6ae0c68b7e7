package server_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/server"
)

func ExampleAsk() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())

	upper, _ := server.Spawn(sys, func(s string) (string, error) {
		if s == "" {
			return "", errors.New("empty")
		}
		return strings.ToUpper(s), nil
	})
	fmt.Println(server.Ask(context.Background(), upper, "hello"))
	_, err := server.Ask(context.Background(), upper, "")
	fmt.Println(err)
	// Output:
	// HELLO <nil>
	// empty
}

func ExampleAskIn() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())

	square, _ := server.Spawn(sys, func(n int) (int, error) { return n * n, nil })
	done := make(chan struct{})
	reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		// Inside a reactor nothing blocks: the reply completes an IVar,
		// with the value or with the server's error. An observer without
		// an Error function would let that error fail this reactor.
		server.AskIn(r, square, 12).Subscribe(&events.Funcs[int]{
			Event: func(v int) { fmt.Println("12 squared is", v) },
			Error: func(err error) { fmt.Println("no reply:", err) },
			Done:  func() { close(done) },
		})
	})
	<-done
	// Output:
	// 12 squared is 144
}
