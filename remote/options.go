package remote

import (
	"crypto/tls"
	"fmt"
	"os"
	"time"
)

// Option configures a node (see [Start]).
type Option func(*nodeConfig)

type nodeConfig struct {
	url        string // "" for the embedded in-process server
	leaf       string // the hub the embedded server joins as a leaf node
	user, pass string
	token      string
	tls        *tls.Config

	noticeBuffer   int           // 0: DefaultNoticeBuffer
	reconnectWait  time.Duration // 0: nats.go's default
	maxReconnects  int           // 0: nats.go's default
	reconnectGiven bool

	namespace    string
	maxPayload   int // 0: the connection's MaxPayload
	timeout      time.Duration
	timeoutGiven bool // WithConnectTimeout
	name         string
	pendMsgs     int // 0: nats.go's default
	pendBytes    int
	registry     bool           // WithRegistry
	leaseTTL     time.Duration  // WithLeaseTTL; 0: DefaultLeaseTTL
	nodeID       string         // WithNodeID; "": random
	jsDomain     string         // WithJetStreamDomain
	storeDir     string         // the embedded server's JetStream store, removed by Close
	clusterCfg   *ClusterConfig // WithCluster, as given
	cluster      *cluster       // WithCluster, validated by checkCluster
}

// WithURL connects the node as a plain NATS client to the server(s) at
// url (a comma-separated list is allowed, as [nats.Connect] takes it)
// instead of starting an embedded server. The connection reconnects as
// nats.go does by default; events published while it is disconnected may
// be lost (core NATS is at-most-once).
func WithURL(url string) Option { return func(c *nodeConfig) { c.url = url } }

// WithLeafNode makes the node's embedded server a leaf node of the NATS
// deployment whose leaf-node listener is at url ("nats-leaf://host:port",
// with "user:password@" before the host if the hub requires them). The
// node's own connection stays in-process and its server still opens no
// port; subjects with interest on either side cross the leaf connection,
// so nodes that are leaves of one hub reach each other's names. [Start]
// waits until the leaf connection is up. Interest travels asynchronously:
// an export on another leaf becomes reachable a moment after it is made.
// A hub that refuses the leaf (wrong credentials) only logs it, so Start
// then fails with [ErrStart] after the connect timeout. It cannot be
// combined with [WithURL].
func WithLeafNode(url string) Option { return func(c *nodeConfig) { c.leaf = url } }

// WithUserInfo gives the user name and password of a [WithURL] connection.
func WithUserInfo(user, password string) Option {
	return func(c *nodeConfig) { c.user, c.pass = user, password }
}

// WithToken gives the authentication token of a [WithURL] connection.
func WithToken(token string) Option { return func(c *nodeConfig) { c.token = token } }

// WithTLS secures a [WithURL] connection with cfg (its RootCAs to trust the
// server, its Certificates for client authentication). The URL may keep
// the nats:// scheme. A server whose certificate cfg does not trust fails
// [Start] with [ErrStart].
func WithTLS(cfg *tls.Config) Option { return func(c *nodeConfig) { c.tls = cfg } }

// WithNamespace sets the first subject token(s) of every name the node
// exports or sends to (default [DefaultNamespace]). Nodes reach each other
// only within one namespace. It must be valid as [Subject] says; [Start] fails
// otherwise.
func WithNamespace(ns string) Option { return func(c *nodeConfig) { c.namespace = ns } }

// WithMaxPayload limits encoded events to n bytes (n > 0). The node's
// limit is the smaller of n and the connection's MaxPayload (1 MiB on a
// default server); a larger event fails its send with a [*PayloadError].
func WithMaxPayload(n int) Option { return func(c *nodeConfig) { c.maxPayload = n } }

// WithConnectTimeout bounds the start of the embedded server and the
// connection, and the registry's start (default 5 s; [DefaultClusterTimeout]
// for a node started [WithCluster] and [WithRegistry], whose JetStream cluster
// may take a whole election timeout to elect its leader).
func WithConnectTimeout(d time.Duration) Option {
	return func(c *nodeConfig) { c.timeout, c.timeoutGiven = d, true }
}

// WithName names the node's NATS connection, as the server's monitoring
// shows it (default "reactors").
func WithName(name string) Option { return func(c *nodeConfig) { c.name = name } }

// WithPendingLimits sets how many messages and bytes each export or
// server of the node may hold received but not yet handed to its channel
// (nats.go's default: 500,000 messages, 64 MB); -1 means no limit. Beyond
// the limit the connection drops messages and the node logs a slow
// consumer. Leave a limit in place outside measurements: without one a
// stalled channel grows the process's memory without bound.
func WithPendingLimits(msgs, bytes int) Option {
	return func(c *nodeConfig) { c.pendMsgs, c.pendBytes = msgs, bytes }
}

// WithRegistry makes the node a member of its namespace's registry: a
// JetStream key-value bucket holding one lease per node (its id and the names
// it exports with [Export] or serves with [Serve]), renewed every third of
// the lease TTL ([WithLeaseTTL]) and removed by [Node.Close], or expiring a
// TTL after the last renewal when the node dies or loses its connection.
// Every member watches the bucket, so nodes find each other's names with
// nothing but the NATS connection (see [Node.Members], [Node.WatchMembers],
// and package remote/follow).
//
// The NATS deployment must run JetStream with per-message TTLs (NATS
// server 2.11 or later). The embedded server of a node without [WithURL] or
// [WithLeafNode] enables JetStream in a temporary store directory that Close
// removes; a leaf node's embedded server does not, and uses the hub's
// through [WithJetStreamDomain]. Embedded servers clustered by [WithCluster]
// run JetStream as a cluster holding a replicated bucket (see
// WithCluster for what that needs). Otherwise the node that creates the
// bucket asks for 3 copies and settles for as many as the JetStream
// system has servers, so that the registry of a deployment of three
// servers or more outlives the loss of one.
//
// With a registry, Export also subscribes the name's node subject (see
// [NodeChannel]) and broadcast subject (see [Broadcast]): three subscriptions
// per export instead of one; Serve subscribes the node subject (see
// [NodeClient]): two instead of one. The registry costs two goroutines, one
// JetStream write per renewal and per Export, Serve or the [Exported.Close]
// of one, and one watch subscription.
func WithRegistry() Option { return func(c *nodeConfig) { c.registry = true } }

// DefaultLeaseTTL is the lease time of a node started [WithRegistry] and
// not given [WithLeaseTTL].
const DefaultLeaseTTL = 5 * time.Second

// WithLeaseTTL sets how long the node's lease outlives its last renewal
// (default [DefaultLeaseTTL]; at least one second, as JetStream's
// per-message TTLs are). It needs [WithRegistry].
func WithLeaseTTL(d time.Duration) Option { return func(c *nodeConfig) { c.leaseTTL = d } }

// WithNodeID sets the node's id in the registry (default: 16 random hex
// digits): 1 to [MaxNodeIDLen] ASCII letters, digits, '-' or '_', unique in
// the namespace (two live nodes with one id overwrite each other's
// lease). It needs [WithRegistry].
func WithNodeID(id string) Option { return func(c *nodeConfig) { c.nodeID = id } }

// WithJetStreamDomain makes the registry use the JetStream of domain (the
// JetStreamDomain of the servers that hold it), as a node whose embedded
// server is a leaf node must, to reach its hub's JetStream: a leaf's own
// server runs no JetStream and answers JetStream requests that name no
// domain itself. It needs [WithRegistry].
func WithJetStreamDomain(domain string) Option { return func(c *nodeConfig) { c.jsDomain = domain } }

// checkRegistry validates the registry options of cfg, chooses the node id
// and, for an embedded server that is not a leaf node, creates the
// temporary JetStream store directory.
func checkRegistry(cfg *nodeConfig) error {
	if !cfg.registry {
		if cfg.leaseTTL != 0 || cfg.nodeID != "" || cfg.jsDomain != "" {
			return fmt.Errorf("%w: WithLeaseTTL, WithNodeID and WithJetStreamDomain need WithRegistry", ErrStart)
		}
		return nil
	}
	if cfg.leaseTTL == 0 {
		cfg.leaseTTL = DefaultLeaseTTL
	}
	if cfg.leaseTTL < time.Second {
		return fmt.Errorf("%w: lease TTL %v is under a second", ErrStart, cfg.leaseTTL)
	}
	if cfg.nodeID == "" {
		cfg.nodeID = newNodeID()
	}
	if err := checkNodeID(cfg.nodeID); err != nil {
		return err
	}
	if cfg.url == "" && cfg.leaf == "" {
		dir, err := os.MkdirTemp("", "reactors-js-")
		if err != nil {
			return fmt.Errorf("%w: JetStream store: %w", ErrStart, err)
		}
		cfg.storeDir = dir
	}
	return nil
}

// removeStore removes a JetStream store directory made by checkRegistry.
func removeStore(dir string) {
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
}
