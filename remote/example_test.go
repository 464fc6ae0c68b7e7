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
	n, err := remote.Start(context.Background(), sys) // embedded NATS, in-process, no port
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
	n, _ := remote.Start(context.Background(), sys, remote.WithMaxPayload(16))
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
	n, _ := remote.Start(context.Background(), sys)
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

// Two nodes in separate processes: a node started with no option has a
// private embedded server, so one process opens a client listener
// (WithCluster; a cluster of one needs no routes) and the others dial it
// with WithURL. Here both run in one process, on loopback.
func ExampleWithURL() {
	// Process A: listens for other processes on 127.0.0.1, on a port
	// chosen by the system (ClusterConfig.ClientListen sets a fixed one).
	sysA := reactor.New()
	defer sysA.Shutdown(context.Background())
	a, err := remote.Start(context.Background(), sysA, remote.WithCluster(remote.ClusterConfig{Name: "app"}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Close(context.Background())
	done := make(chan struct{})
	counter, _ := reactor.Spawn(sysA, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) {
			fmt.Println("counter got", v)
			close(done)
		})
	})
	if _, err := remote.Export(a, "counter", counter); err != nil {
		fmt.Println(err)
		return
	}
	// The export's subscription has reached the server once this returns.
	if err := a.Conn().Flush(); err != nil {
		fmt.Println(err)
		return
	}

	// Process B: dials A's listener.
	sysB := reactor.New()
	defer sysB.Shutdown(context.Background())
	b, err := remote.Start(context.Background(), sysB, remote.WithURL(a.ClientURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close(context.Background())
	ch, _ := remote.Channel[int](b, "counter")
	_ = ch.Send(1)
	<-done
	// Output: counter got 1
}
