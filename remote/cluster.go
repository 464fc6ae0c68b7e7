package remote

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
)

// ClusterConfig configures the cluster that a node's embedded server
// forms with the embedded servers of other nodes (see [WithCluster]): every
// server listens for routes and connects to the routes it is given, and
// the servers gossip the routes they know, so each server ends up with a
// route to every other one (a full mesh).
type ClusterConfig struct {
	// Name is the cluster's name, the same on every server of the
	// cluster (required; no whitespace). Servers with different names
	// refuse each other's routes.
	Name string
	// Listen is the "host:port" the server accepts routes on. The default
	// "" is "127.0.0.1:0": loopback only, on a port chosen by the system
	// (see [Node.ClusterURL]). Give a routable host (or "0.0.0.0") and a
	// fixed port for servers on other machines.
	Listen string
	// Advertise is the "host:port" other servers are told to route to
	// when Listen is not reachable as it is (a wildcard host, NAT). The
	// default "" advertises the listener's address.
	Advertise string
	// Routes are the route URLs ("nats-route://host:port", or
	// "nats://host:port") of other servers of the cluster. One server may
	// be given none and be the seed that the others route to; with
	// [WithRegistry] every server needs the routes to all the others (see
	// [WithCluster]). A route to this server itself (a shared list naming
	// every server) is recognised and ignored. A route that cannot be
	// reached is retried by the server for as long as it runs.
	Routes []string
	// ClientListen is the "host:port" of the client listener a clustered
	// server must open (NATS forms no routes without one). The default ""
	// is "127.0.0.1:0": loopback only, on a port chosen by the system (see
	// [Node.ClientURL]). The node's own connection stays in-process; other
	// processes may connect to this listener with [WithURL].
	ClientListen string
	// Username and Password, if Username is set, are required of every
	// server that routes to this one, and sent on the routes this server
	// makes unless a route URL carries its own "user:password@". The
	// route and client listeners carry no TLS: bind them to loopback or a
	// private network.
	Username, Password string
	// Replicas is the number of copies of the registry bucket (see
	// [WithRegistry]), 1 to 5. The default 0 is the number of servers of
	// the cluster (this one and its distinct Routes), at most 3. It only
	// matters to the node that creates the bucket.
	Replicas int
}

// cluster is a validated [ClusterConfig].
type cluster struct {
	name               string
	host               string
	port               int // server.RANDOM_PORT for port 0
	advertise          string
	routes             []*url.URL
	clientHost         string
	clientPort         int
	username, password string
	replicas           int
}

// WithCluster makes the node's embedded server a member of a NATS cluster
// of embedded servers, as c configures: the nodes of the namespace reach
// each other's exports across the routes. [Start] waits until the server
// listens, not until its routes are up: an export on another server is
// reachable a moment after [Export] returns, once its interest has crossed
// the route. A clustered server opens a route listener and a client
// listener (127.0.0.1 and random ports unless c says otherwise); the
// node's own connection stays in-process.
//
// With [WithRegistry] the servers run JetStream as a cluster: every node must
// use WithRegistry (or none), every server needs [ClusterConfig.Routes] to
// all the others, and Start blocks until a majority of the servers is up and
// routed and the replicated bucket is open, so start a cluster's nodes
// concurrently. The connect timeout is then [DefaultClusterTimeout] unless
// [WithConnectTimeout] says otherwise; docs/design.md gives the election
// timings and what [Node.Close] hands over.
//
// It cannot be combined with [WithURL] or [WithLeafNode]. A missing name, a
// malformed address or route, or a registry without routes fails Start
// with [ErrStart] before anything starts. Cost per server: two listeners
// and, per other server, four TCP connections with two goroutines each.
func WithCluster(c ClusterConfig) Option {
	return func(cfg *nodeConfig) { cfg.clusterCfg = &c }
}

// checkCluster validates the cluster configuration of cfg, if any.
func checkCluster(cfg *nodeConfig) error {
	c := cfg.clusterCfg
	if c == nil {
		return nil
	}
	switch {
	case cfg.url != "":
		return fmt.Errorf("%w: WithCluster and WithURL exclude each other", ErrStart)
	case cfg.leaf != "":
		return fmt.Errorf("%w: WithCluster and WithLeafNode exclude each other", ErrStart)
	case c.Name == "" || strings.ContainsAny(c.Name, " \t\r\n"):
		return fmt.Errorf("%w: cluster name %q must be non-empty, without whitespace", ErrStart, c.Name)
	case c.Replicas < 0 || c.Replicas > 5:
		return fmt.Errorf("%w: %d registry replicas: want 1 to 5, or 0 for the default", ErrStart, c.Replicas)
	case c.Password != "" && c.Username == "":
		return fmt.Errorf("%w: cluster password without a user name", ErrStart)
	}
	k := &cluster{name: c.Name, advertise: c.Advertise, username: c.Username, password: c.Password}
	var err error
	if k.host, k.port, err = hostPort("cluster listen", c.Listen); err != nil {
		return err
	}
	if k.clientHost, k.clientPort, err = hostPort("client listen", c.ClientListen); err != nil {
		return err
	}
	if c.Advertise != "" {
		if _, _, err := hostPort("cluster advertise", c.Advertise); err != nil {
			return err
		}
	}
	servers := map[string]bool{}
	for _, r := range c.Routes {
		u, err := url.Parse(r)
		if err != nil {
			return fmt.Errorf("%w: route %q: %w", ErrStart, redact(r), err)
		}
		if u.Scheme != "nats-route" && u.Scheme != "nats" {
			return fmt.Errorf("%w: route %s: scheme must be nats-route or nats", ErrStart, u.Redacted())
		}
		if p, err := strconv.Atoi(u.Port()); err != nil || p <= 0 || p > 65535 || u.Hostname() == "" {
			return fmt.Errorf("%w: route %s: want host and port", ErrStart, u.Redacted())
		}
		if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
			return fmt.Errorf("%w: route %s: unexpected path or query", ErrStart, u.Redacted())
		}
		if u.User == nil && c.Username != "" {
			u.User = url.UserPassword(c.Username, c.Password)
		}
		k.routes = append(k.routes, u)
		if !(k.port > 0 && u.Port() == strconv.Itoa(k.port) && sameHost(u.Hostname(), k.host)) {
			servers[u.Host] = true // not this server itself
		}
	}
	k.replicas = c.Replicas
	if k.replicas == 0 {
		k.replicas = min(3, 1+len(servers))
	}
	if cfg.registry && len(k.routes) == 0 {
		return fmt.Errorf("%w: a clustered registry needs the routes of the other servers", ErrStart)
	}
	cfg.cluster = k
	if cfg.registry && !cfg.timeoutGiven {
		cfg.timeout = DefaultClusterTimeout
	}
	return nil
}

// DefaultClusterTimeout is the connect timeout (see [WithConnectTimeout]) of
// a node started [WithCluster] and [WithRegistry] and not given
// WithConnectTimeout. A JetStream cluster whose first leader election
// fails (its servers were not all routed yet) waits an election timeout
// of 4 to 9 s for the next one.
const DefaultClusterTimeout = 20 * time.Second

// sameHost reports whether route host h names the listen host of this
// server.
func sameHost(h, listen string) bool {
	if h == listen {
		return true
	}
	loop := func(s string) bool { return s == "localhost" || net.ParseIP(s).IsLoopback() }
	return loop(h) && loop(listen)
}

// hostPort parses a listen address "host:port"; "" is loopback on a
// random port, and port 0 is a random port.
func hostPort(what, addr string) (string, int, error) {
	if addr == "" {
		return "127.0.0.1", natsserver.RANDOM_PORT, nil
	}
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("%w: %s address %q: %w", ErrStart, what, addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 || h == "" {
		return "", 0, fmt.Errorf("%w: %s address %q: want host:port", ErrStart, what, addr)
	}
	if port == 0 {
		port = natsserver.RANDOM_PORT
	}
	return h, port, nil
}

// apply configures o for the cluster: listeners and routes, and a server
// name for a clustered JetStream.
func (k *cluster) apply(o *natsserver.Options, serverName string) {
	o.DontListen = false // NATS forms no routes without a client listener
	o.Host, o.Port = k.clientHost, k.clientPort
	o.ServerName = serverName
	o.Cluster = natsserver.ClusterOpts{
		Name: k.name, Host: k.host, Port: k.port, Advertise: k.advertise,
		Username: k.username, Password: k.password,
	}
	o.Routes = k.routes
	if o.JetStream {
		o.LameDuckDuration, o.LameDuckGracePeriod = handOver, handOver/4
	}
}

// handOver bounds the lame duck mode of a clustered JetStream server at
// [Node.Close]. Shut down plainly, a server that leads raft groups (the
// JetStream cluster's metadata, the registry bucket) leaves the others
// without a leader until their election timeout (4 to 9 s); in lame duck
// mode it first hands its leaderships over and waits a second for them
// to move. Only clients of its listener still connected then ([WithURL]
// nodes of other processes) make it wait longer, up to handOver.
const handOver = 2 * time.Second

// ClusterURL returns the route URL of the node's embedded server
// ("nats-route://host:port"), for the [ClusterConfig.Routes] of other
// servers, or "" if the node was not started [WithCluster]. It names the
// advertised address if there is one, else the listener's (a wildcard host as
// it is).
func (n *Node) ClusterURL() string {
	if n.srv == nil || n.cluster == nil {
		return ""
	}
	if n.cluster.advertise != "" {
		return "nats-route://" + n.cluster.advertise
	}
	if a := n.srv.ClusterAddr(); a != nil {
		return "nats-route://" + a.String()
	}
	return ""
}

// ClientURL returns the URL of the embedded server's client listener
// ("nats://host:port"), for [WithURL] in other processes, or "" if the
// server opens none (it does only [WithCluster]).
func (n *Node) ClientURL() string {
	if n.srv == nil {
		return ""
	}
	if a := n.srv.Addr(); a != nil {
		return "nats://" + a.String()
	}
	return ""
}

// JetStream API error codes under which a clustered JetStream is not
// ready yet: no leader elected, or not enough servers for the replicas.
const (
	jsCodeNoPeers       = 10005
	jsCodeNotAvailable  = 10008
	jsCodeNotLeader     = 10009
	jsCodeInsufficient  = 10023
	clusterAttemptLimit = 500 * time.Millisecond
)

// clusterNotReady reports whether err, from a JetStream request made with
// a context of its own attempt, means the JetStream cluster is not ready
// yet: before its leader is elected a request is not answered at all.
func clusterNotReady(attempt context.Context, err error) bool {
	var api *jetstream.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode {
		case jsCodeNoPeers, jsCodeNotAvailable, jsCodeNotLeader, jsCodeInsufficient:
			return true
		}
	}
	return attempt.Err() != nil && errors.Is(err, context.DeadlineExceeded)
}
