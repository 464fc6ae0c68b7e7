package remote_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/server"
)

// A reactor exported under a name receives what another part of the
// program (or another process on the same NATS) sends to that name.
func ExampleExport() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())
	n, err := remote.Start(sys) // embedded NATS, in-process, no port
	if err != nil {
		fmt.Println(err)
		return
	}
	defer n.Close(context.Background())

	done := make(chan struct{})
	greeter, _ := reactor.Spawn(sys, func(r *reactor.Reactor[string]) {
		r.Main().Events().OnEvent(func(s string) {
			fmt.Println("hello,", s)
			close(done)
		})
	})
	if _, err := remote.Export(n, "greeter#main", greeter); err != nil {
		fmt.Println(err)
		return
	}

	ch, _ := remote.Channel[string](n, "greeter#main")
	_ = ch.Send("world")
	<-done
	// Output: hello, world
}

// Names are checked before anything is sent, and so are payload sizes.
func ExampleChannel_errors() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())
	n, _ := remote.Start(sys, remote.WithMaxPayload(16))
	defer n.Close(context.Background())

	_, err := remote.Channel[string](n, "workers/*")
	fmt.Println(errors.Is(err, remote.ErrInvalidName))

	ch, _ := remote.Channel[string](n, "workers/w1")
	err = ch.Send(strings.Repeat("x", 20))
	fmt.Println(err)
	// Output:
	// true
	// remote: payload too large: workers/w1: 22 bytes, limit 16
}

func ExampleSubject() {
	s, _ := remote.Subject("app", "workers/w1#main")
	fmt.Println(s)
	// Output: app.workers.w1.main
}

// A server.Server served under a name answers requests from any node of
// the namespace.
func ExampleServe() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())
	n, _ := remote.Start(sys)
	defer n.Close(context.Background())

	srv, _ := server.Spawn(sys, func(s string) (int, error) { return len(s), nil })
	if _, err := remote.Serve(n, "strlen", srv); err != nil {
		fmt.Println(err)
		return
	}
	c, _ := remote.NewClient[string, int](n, "strlen")
	v, err := c.Ask(context.Background(), "hello")
	fmt.Println(v, err)
	// Output: 5 <nil>
}
