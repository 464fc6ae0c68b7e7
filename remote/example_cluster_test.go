package remote_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/server"
)

// Two nodes whose embedded servers form a cluster by a route on
// loopback: a client on one asks the server served on the other.
func ExampleWithCluster() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())
	seed, err := remote.Start(context.Background(), sys, remote.WithCluster(remote.ClusterConfig{Name: "example"}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer seed.Close(context.Background())
	fmt.Println(strings.HasPrefix(seed.ClusterURL(), "nats-route://127.0.0.1:"))

	other, err := remote.Start(context.Background(), sys, remote.WithCluster(remote.ClusterConfig{
		Name: "example", Routes: []string{seed.ClusterURL()},
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer other.Close(context.Background())

	srv, _ := server.Spawn(sys, func(s string) (int, error) { return len(s), nil })
	if _, err := remote.Serve(seed, "strlen", srv); err != nil {
		fmt.Println(err)
		return
	}
	c, _ := remote.NewClient[string, int](other, "strlen")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		v, err := c.Ask(ctx, "hello")
		if errors.Is(err, remote.ErrNoServer) {
			// The route, or the server's interest across it, is not up
			// yet: ask again.
			time.Sleep(time.Millisecond)
			continue
		}
		fmt.Println(v, err)
		break
	}
	// Output:
	// true
	// 5 <nil>
}
