package table_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/remote/internal/proctest"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

// natsServer is the nats-server program itself (its main package, built
// from the module's own requirement). The tests' JetStream clusters run
// in processes of their own so that the race detector watches the
// library, not the servers: nats-server 2.15 has data races of its own
// on clustered streams (one was reported right after a server restart,
// in jetstream_batching.go against applyStreamMsgOp), which would fail
// a test binary whose servers run in it.
var natsServer = proctest.NewProgram("github.com/nats-io/nats-server/v2")

// natsCluster is a cluster of JetStream servers on loopback, each a
// process of its own, whose servers can be stopped and started again on
// their ports and stores.
type natsCluster struct {
	args  [][]string       // each server's command line
	ports []int            // each server's client port
	procs []*proctest.Proc // nil for a server that does not run
}

// startCluster starts a cluster of n servers and waits until it places
// a bucket of 3 replicas. A cluster whose servers are not all ready
// within 10 s, or that places no bucket within half a minute, is stopped
// and started again on other ports, once: the ports
// were free a moment before the servers took them, and a test running
// beside this one may have taken one meanwhile.
func startCluster(t *testing.T, n int) *natsCluster {
	t.Helper()
	for attempt := 1; ; attempt++ {
		c := &natsCluster{procs: make([]*proctest.Proc, n)}
		cports := remotetest.FreePorts(t, n)
		var routes []string
		for _, p := range cports {
			routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", p))
		}
		for i, p := range remotetest.FreePorts(t, n) {
			c.ports = append(c.ports, p)
			c.args = append(c.args, []string{
				"-n", fmt.Sprintf("s%d", i), "-a", "127.0.0.1", "-p", fmt.Sprint(p),
				"-js", "-sd", t.TempDir(),
				"--cluster_name", "crash", "--cluster", fmt.Sprintf("nats://127.0.0.1:%d", cports[i]),
				"--routes", strings.Join(routes, ","),
			})
		}
		if c.tryStart(t) && c.placesBucket(t, 30*time.Second) {
			return c
		}
		for _, p := range c.procs {
			if p != nil {
				p.Kill()
			}
		}
		if attempt == 2 {
			t.Fatal("the cluster did not start or placed no bucket of 3 replicas, twice")
		}
		t.Log("the cluster did not start or placed no bucket of 3 replicas: starting it again on other ports")
	}
}

// placesBucket reports whether the cluster places a bucket of 3
// replicas within d.
func (c *natsCluster) placesBucket(t *testing.T, d time.Duration) bool {
	t.Helper()
	nc, err := nats.Connect(c.urls())
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "ready", Replicas: 3})
		if err != nil { // an attempt that timed out here may have made it
			_, err = js.KeyValue(ctx, "ready")
		}
		cancel()
		if err == nil {
			return true
		}
	}
	return false
}

// tryStart starts every server, and reports whether all of them took
// their client ports within 10 s (a port taken by another test
// meanwhile keeps one from ever being ready).
func (c *natsCluster) tryStart(t *testing.T) bool {
	t.Helper()
	for i := range c.args {
		c.launch(t, i)
	}
	for i := range c.args {
		if !c.ready(i, 10*time.Second) {
			return false
		}
	}
	return true
}

// ready reports whether server i accepts connections within d (or has
// ended meanwhile: false).
func (c *natsCluster) ready(i int, d time.Duration) bool {
	addr := fmt.Sprintf("127.0.0.1:%d", c.ports[i])
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		select {
		case <-c.procs[i].Done():
			return false
		default:
		}
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_ = conn.Close()
			return true
		}
	}
	return false
}

// start starts server i again on its ports and store, after stop.
func (c *natsCluster) start(t *testing.T, i int) {
	t.Helper()
	c.launch(t, i)
	require.True(t, c.ready(i, time.Minute), "nats-server s%d ready again", i)
}

// launch starts the process of server i (its output is dropped; its
// standard error is logged if the test fails).
func (c *natsCluster) launch(t *testing.T, i int) {
	t.Helper()
	c.procs[i] = natsServer.Start(t, fmt.Sprintf("nats-server s%d", i), func(string) {}, c.args[i]...)
}

// stop stops server i as an operator would (SIGTERM: the server shuts
// down and exits) and waits until it has ended.
func (c *natsCluster) stop(t *testing.T, i int) {
	t.Helper()
	c.procs[i].Stop(t, time.Minute)
	c.procs[i] = nil
}

// urls returns the client URLs of every server, comma-separated.
func (c *natsCluster) urls() string {
	var us []string
	for _, p := range c.ports {
		us = append(us, fmt.Sprintf("nats://127.0.0.1:%d", p))
	}
	return strings.Join(us, ",")
}
