package remote

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/reactors-go/reactors/reactor"
)

// Node is a reactor system's presence on NATS: one NATS connection, and
// the embedded server it is connected to unless [WithURL] was given. Every
// remote channel, export and server of the node uses that one connection.
//
// All methods are safe for concurrent use. A Node must not be copied.
type Node struct {
	sys   *reactor.System
	ns    string
	nc    *nats.Conn
	srv   *natsserver.Server // nil with WithURL
	limit int                // payload limit in bytes

	pendMsgs, pendBytes int // pending limits of subscriptions; 0: default

	ctx    context.Context // ends deliveries still waiting for room at Close
	cancel context.CancelFunc
	closed chan struct{} // closed when the connection is closed
	fail   failures      // transport notices, slow consumers, at-least-once senders

	mu      sync.Mutex
	names   map[string]struct{} // guarded by mu: exported names
	closing bool                // guarded by mu
	closers []*closer           // guarded by mu: run at the start of Close, in order (see onClose)

	reg      *registry // nil without WithRegistry
	storeDir string    // the embedded server's JetStream store; "" if none
	cluster  *cluster  // nil without WithCluster
}

// Start connects sys to NATS and returns the node. By default it starts an
// embedded NATS server in this process that opens no port (DontListen) and
// connects to it in-process ([nats.InProcessServer]); [WithURL] connects to an
// existing NATS deployment instead, with [WithUserInfo] or [WithToken] as its
// credentials and [WithTLS] for a TLS connection, [WithLeafNode] makes the
// embedded server a leaf node of one, and [WithCluster] clusters it with
// the embedded servers of other nodes (opening a route and a client
// listener, on loopback by default).
//
// Nothing of NATS runs before Start: reactor systems and their local
// channels never touch NATS. Start blocks until the server is ready and
// the connection made, at most until ctx ends or the connect timeout
// (5 s by default) passes; ctx bounds only the start, not the node's
// life. It
// costs about 2 ms, 5 MB and a dozen goroutines with the embedded server
// (three goroutines for a client connection alone), all of them ended by
// [Node.Close].
//
// With [WithRegistry], Start also writes the node's lease and loads the
// registry before it returns (see WithRegistry), within the same timeout.
//
// Errors: [ErrInvalidName] for a bad namespace or node id; [ErrAuth] if the
// server refused the credentials; [ErrStart] if the server did not start or
// could not be reached, the registry's JetStream did not answer (or, on
// a cluster, elected no leader in time), or options contradict each
// other or are malformed (WithCluster's addresses and routes). It
// refuses, before starting anything, a nil sys (ErrStart wrapping
// [reactor.ErrNilSystem]) and a system already shut down or shutting down
// (ErrStart wrapping [reactor.ErrClosed]). When ctx ends first, the error
// is ErrStart wrapping context.Cause(ctx). On error nothing is left
// running.
func Start(ctx context.Context, sys *reactor.System, opts ...Option) (*Node, error) {
	if sys == nil {
		return nil, fmt.Errorf("%w: %w", ErrStart, reactor.ErrNilSystem)
	}
	if err := sys.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStart, err)
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%w: %w", ErrStart, context.Cause(ctx))
	}
	cfg := nodeConfig{namespace: DefaultNamespace, timeout: 5 * time.Second, name: "reactors"}
	for _, o := range opts {
		o(&cfg)
	}
	if err := checkNamespace(cfg.namespace); err != nil {
		return nil, err
	}
	if cfg.maxPayload < 0 {
		return nil, fmt.Errorf("%w: negative payload limit %d", ErrStart, cfg.maxPayload)
	}
	n := &Node{sys: sys, ns: cfg.namespace, closed: make(chan struct{}), names: map[string]struct{}{},
		pendMsgs: cfg.pendMsgs, pendBytes: cfg.pendBytes}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	n.fail.init(cfg.noticeBuffer)
	dial := cfg.timeout // a dial cannot be cancelled: bound it by ctx's deadline too
	if d, ok := ctx.Deadline(); ok {
		dial = max(min(dial, time.Until(d)), time.Millisecond)
	}
	copts := []nats.Option{
		nats.Name(cfg.name),
		nats.Timeout(dial),
		nats.ClosedHandler(func(*nats.Conn) {
			n.emit(Notice{Kind: NoticeClosed})
			close(n.closed)
		}),
		nats.ErrorHandler(n.asyncError),
	}
	copts = append(copts, n.connHandlers()...)
	addr := cfg.url
	switch {
	case addr != "" && cfg.leaf != "":
		n.cancel()
		return nil, fmt.Errorf("%w: WithURL and WithLeafNode exclude each other", ErrStart)
	case addr == "" && (cfg.user != "" || cfg.pass != "" || cfg.token != "" || cfg.tls != nil):
		n.cancel()
		return nil, fmt.Errorf("%w: WithUserInfo, WithToken and WithTLS need WithURL", ErrStart)
	}
	if err := checkCluster(&cfg); err != nil {
		n.cancel()
		return nil, err
	}
	if err := checkRegistry(&cfg); err != nil {
		n.cancel()
		return nil, err
	}
	if addr == "" {
		s, err := startEmbedded(ctx, cfg)
		if err != nil {
			removeStore(cfg.storeDir)
			n.cancel()
			return nil, err
		}
		n.srv, n.storeDir, n.cluster = s, cfg.storeDir, cfg.cluster
		copts = append(copts, nats.InProcessServer(s), nats.MaxReconnects(0))
	} else {
		if cfg.user != "" || cfg.pass != "" {
			copts = append(copts, nats.UserInfo(cfg.user, cfg.pass))
		}
		if cfg.token != "" {
			copts = append(copts, nats.Token(cfg.token))
		}
		if cfg.tls != nil {
			copts = append(copts, nats.Secure(cfg.tls))
		}
		copts = append(copts, cfg.reconnectOptions()...)
	}
	nc, err := nats.Connect(addr, copts...)
	if err == nil && ctx.Err() != nil {
		nc.Close()
		err = context.Cause(ctx)
	}
	if err != nil {
		n.stopServer()
		n.cancel()
		if isAuthError(err) {
			return nil, fmt.Errorf("%w: %w", ErrAuth, err)
		}
		return nil, fmt.Errorf("%w: %w", ErrStart, err)
	}
	n.nc = nc
	n.connected()
	n.limit = int(nc.MaxPayload())
	if cfg.maxPayload > 0 && cfg.maxPayload < n.limit {
		n.limit = cfg.maxPayload
	}
	if cfg.registry {
		if n.reg, err = startRegistry(ctx, n, cfg); err != nil {
			nc.Close()
			n.stopServer()
			n.cancel()
			return nil, err
		}
	}
	return n, nil
}

// startEmbedded starts the node's embedded server (a leaf node with
// [WithLeafNode], a cluster member with [WithCluster]) and waits until it is
// ready and, for a leaf, connected.
func startEmbedded(ctx context.Context, cfg nodeConfig) (*natsserver.Server, error) {
	o := &natsserver.Options{DontListen: true, NoLog: true, NoSigs: true}
	if cfg.storeDir != "" {
		o.JetStream, o.StoreDir = true, cfg.storeDir
	}
	if cfg.cluster != nil {
		cfg.cluster.apply(o, cfg.nodeID)
	}
	if cfg.leaf != "" {
		u, err := url.Parse(cfg.leaf)
		if err != nil {
			return nil, fmt.Errorf("%w: leaf node URL: %w", ErrStart, err)
		}
		o.LeafNode.Remotes = []*natsserver.RemoteLeafOpts{{URLs: []*url.URL{u}}}
	}
	s, err := natsserver.NewServer(o)
	if err != nil {
		return nil, fmt.Errorf("%w: embedded server: %w", ErrStart, err)
	}
	s.Start()
	stop := func() {
		s.Shutdown()
		s.WaitForShutdown()
	}
	giveUp := time.NewTimer(cfg.timeout)
	defer giveUp.Stop()
	fail := func(what string, err error) (*natsserver.Server, error) {
		stop()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrStart, what, err)
		}
		return nil, fmt.Errorf("%w: %s after %v", ErrStart, what, cfg.timeout)
	}
	// ReadyForConnections waits in steps, so that ctx can end the wait.
	for !s.ReadyForConnections(50 * time.Millisecond) {
		select {
		case <-giveUp.C:
			return fail("embedded server not ready", nil)
		case <-ctx.Done():
			return fail("embedded server not ready", context.Cause(ctx))
		default:
		}
	}
	if cfg.leaf != "" {
		// The server offers no notification of a leaf connection: poll.
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for s.NumLeafNodes() == 0 {
			select {
			case <-tick.C:
			case <-giveUp.C:
				return fail("leaf node not connected to "+redact(cfg.leaf), nil)
			case <-ctx.Done():
				return fail("leaf node not connected to "+redact(cfg.leaf), context.Cause(ctx))
			}
		}
	}
	return s, nil
}

// redact removes the password from a URL for error messages.
func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return "(invalid URL)"
}

// isAuthError reports whether err is the server refusing credentials.
func isAuthError(err error) bool {
	return errors.Is(err, nats.ErrAuthorization) || errors.Is(err, nats.ErrAuthExpired) ||
		errors.Is(err, nats.ErrAuthRevoked) || errors.Is(err, nats.ErrAccountAuthExpired)
}

// asyncError reports the connection's asynchronous errors as notices (a
// subscription whose pending limit overflowed drops messages: "slow
// consumer", also dead-lettered); see [Node.Notices].
func (n *Node) asyncError(_ *nats.Conn, sub *nats.Subscription, err error) { n.surface(sub, err) }

// System returns the node's reactor system.
func (n *Node) System() *reactor.System { return n.sys }

// Namespace returns the first subject token(s) of the node's names.
func (n *Node) Namespace() string { return n.ns }

// MaxPayload returns the node's payload limit in bytes: the largest
// encoded event a send or request may carry.
func (n *Node) MaxPayload() int { return n.limit }

// Conn returns the node's NATS connection, for traffic this package does
// not cover and for measurements. Closing it closes the node's transport;
// use [Node.Close] instead.
func (n *Node) Conn() *nats.Conn { return n.nc }

// Server returns the node's embedded NATS server, or nil when the node
// connected with [WithURL].
func (n *Node) Server() *natsserver.Server { return n.srv }

// subject returns the subject of name in the node's namespace.
func (n *Node) subject(name string) (string, error) { return Subject(n.ns, name) }

// claim records name as exported by this node; release forgets it.
func (n *Node) claim(name string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closing {
		return ErrClosed
	}
	if _, dup := n.names[name]; dup {
		return fmt.Errorf("%w: %q", ErrDuplicateName, name)
	}
	n.names[name] = struct{}{}
	return nil
}

// closer is a function that a package built on remote runs at the start
// of [Node.Close] (see node.Internals.OnClose).
type closer struct{ f func(ctx context.Context) }

// onClose registers f to run at the start of Close; remove unregisters it.
func (n *Node) onClose(f func(ctx context.Context)) (remove func(), err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closing {
		return nil, ErrClosed
	}
	c := &closer{f: f}
	n.closers = append(n.closers, c)
	return func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		if !n.closing {
			n.closers = slices.DeleteFunc(n.closers, func(o *closer) bool { return o == c })
		}
	}, nil
}

// isClosing reports whether [Node.Close] was called.
func (n *Node) isClosing() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.closing
}

// limitPending applies the node's pending limits to sub.
func (n *Node) limitPending(sub *nats.Subscription) error {
	if n.pendMsgs == 0 && n.pendBytes == 0 {
		return nil
	}
	msgs, bytes := n.pendMsgs, n.pendBytes
	if msgs == 0 {
		msgs = nats.DefaultSubPendingMsgsLimit
	}
	if bytes == 0 {
		bytes = nats.DefaultSubPendingBytesLimit
	}
	return sub.SetPendingLimits(msgs, bytes)
}

func (n *Node) release(name string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.names, name)
}

// transportErr maps the connection's errors onto this package's.
func (n *Node) transportErr(name string, err error) error {
	switch {
	case errors.Is(err, nats.ErrConnectionClosed), errors.Is(err, nats.ErrConnectionDraining):
		return fmt.Errorf("%w: %s: %w", ErrClosed, name, err)
	case errors.Is(err, nats.ErrMaxPayload):
		return &PayloadError{Name: name, Size: -1, Limit: n.limit}
	case errors.Is(err, nats.ErrNoResponders):
		return fmt.Errorf("%w: %s", ErrNoServer, name)
	}
	return fmt.Errorf("remote: %s: %w", name, err)
}

// Close closes the node: it stops taking new exports, stops the exports
// of the packages built on remote (remote/durable's, which give back what
// they have not handed over), sends what the connection still buffers,
// stops every export after handing the messages it has already received
// to their channels, closes the connection and shuts the embedded server
// down. Remote channels of the node then fail with [ErrClosed].
//
// Close blocks until all of that is done or ctx ends. If ctx ends first,
// deliveries still waiting for room in a Block mailbox give up (their
// events are dead-lettered with [reactor.ReasonShutdown]), the connection
// is closed at once (messages received and not yet handed over are lost,
// as core NATS loses them), and Close returns ctx's error after the rest
// of the teardown. When Close returns, every goroutine the node started has
// ended or is ending (the embedded server's goroutines have returned).
// Calling Close again returns ErrClosed. [Node.Notices] reports [NoticeClosed]
// and is then closed; drops of slow consumers not reported yet are
// reported first, and the events of at-least-once channels still
// unacknowledged are dead-lettered as [Unacknowledged].
//
// With [WithRegistry], Close first stops the registry's goroutines, ends
// the node's [MemberWatch] channels (ErrClosed) and removes the node's
// lease, so other members see it leave at once (the removal is bounded
// by ctx and by a second; if it fails, as it does on a JetStream cluster
// that has lost its majority, the lease expires after its TTL).
func (n *Node) Close(ctx context.Context) error {
	n.mu.Lock()
	if n.closing {
		n.mu.Unlock()
		return ErrClosed
	}
	n.closing = true
	closers := n.closers
	n.mu.Unlock()
	n.flushAllDrops()
	for _, c := range closers { // each stops what it runs on the connection
		c.f(ctx)
	}

	var err error
	if n.reg != nil {
		n.reg.leave(ctx)
	}
	if derr := n.nc.Drain(); derr != nil {
		n.nc.Close()
	}
	select {
	case <-n.closed:
	case <-ctx.Done():
		err = context.Cause(ctx)
		n.cancel()
		n.nc.Close()
		<-n.closed
	}
	n.cancel()
	n.fail.wg.Wait()
	n.stopServer()
	return err
}

// stopServer shuts the embedded server down, if any, and waits for its
// goroutines. A server of a JetStream cluster goes through lame duck mode
// first, which hands the leaderships of its raft groups to the other
// servers (see handOver).
func (n *Node) stopServer() {
	if n.srv != nil {
		if n.cluster != nil && n.storeDir != "" {
			n.srv.LameDuckShutdown()
		}
		n.srv.Shutdown()
		n.srv.WaitForShutdown()
	}
	removeStore(n.storeDir)
}
