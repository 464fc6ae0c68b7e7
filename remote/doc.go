// Package remote carries reactor channels across processes over NATS. It
// and the packages below it (remote/table, remote/follow, remote/durable
// and their internal helpers) are the only ones of the module that import NATS:
// systems that import none of them neither link nor start any of it.
//
// A [Node] is a reactor system's presence on NATS. [Start] creates it: by
// default with an embedded NATS server in this process that opens no port
// and an in-process connection to it (zero set-up, and the same code path
// as a real deployment); with [WithLeafNode] the embedded server also joins
// an existing NATS deployment as a leaf node (still no port opened here);
// with [WithCluster] it forms a NATS cluster with the embedded servers of
// other nodes (see Clusters); with [WithURL] the node is a plain client of
// an existing deployment,
// authenticated by [WithUserInfo] or [WithToken] and secured by [WithTLS].
// [Node.Close] ends the connection, the embedded server and every goroutine the
// node started.
//
//	n, _ := remote.Start(context.Background(), sys)
//	defer n.Close(ctx)
//	remote.Export(n, "counter", counterCh)          // receive side
//	ch, _ := remote.Channel[int](n, "counter")      // send side, any node
//	ch.Send(1)
//
// [Export] makes a local [reactor.Channel] reachable under a name; [Channel]
// returns a reactor.Channel for a name, whose Send encodes the event with
// the name's [Codec] ([JSON] by default) and publishes it. A remote channel is
// an ordinary reactor.Channel: routers, servers and names take it as any
// other.
//
// [Serve] makes a [server.Server] answer NATS requests under a name; a [Client]
// of that name asks it from any node ([Client.Ask] blocks with a context,
// like [server.Ask]). Errors of the serving side come back as a typed
// [*ServerError] with a code.
//
// # Names
//
// A name is tokens separated by '/' or '#' ("workers/w1#main"); it is the
// NATS subject "<namespace>.<tokens>" ([Subject]). Names that would produce
// a wildcard, an empty token or an invalid subject are refused with
// [ErrInvalidName] before anything is sent or subscribed.
//
// # Guarantees
//
// Local sends never touch NATS: only channels obtained from Channel
// publish, even when the exporting reactor is in the same process.
//
// Ordering: a node publishes every event through its one connection, so
// the events of one sender to one name arrive in the order sent
// (per-sender FIFO), and Export hands them to the local channel in that
// order. Events of different senders, or of different nodes, are not
// ordered with each other.
//
// Delivery is at most once (core NATS): a nil error from Send means the
// connection accepted the event. An event sent while no node exports its
// name, or in flight when a connection is lost, is gone without error.
// Everything that is refused on purpose is reported: an event larger than
// the node's payload limit fails its Send with a [*PayloadError]; a payload
// that its codec cannot decode is dead-lettered on the receiving system
// with [reactor.ReasonUndecodable] and an [Undecodable] value; events the
// local channel refuses are dead-lettered as a local send would be.
//
// At least once: with [WithAtLeastOnce] on both the Channel and the Export of
// a name, every event whose Send returned nil reaches the exporter's channel
// exactly once and in order per sender, across disconnections and NATS server
// restarts, as long as the sending node runs: events carry per-sender
// sequence numbers, the exporter acknowledges them and drops duplicates, and
// the sender keeps a bounded window of unacknowledged events that it sends
// again on a timer and on reconnection. Send fails with [ErrWindowFull] when
// the window stays full for the option's [AtLeastOnce.Block] time (at once by
// default). The window lives in the sending process: events that must
// outlive it go through package remote/durable, whose Send returns once
// JetStream has stored the event, and whose exports keep each event until
// a handler acknowledges it.
//
// Failures are never silent: [Node.Notices] reports disconnections,
// reconnections (and whether the server is a restarted instance), the
// closing of the connection, slow consumers (an export whose pending
// limit overflowed, with its name and the number of messages dropped) and
// other asynchronous errors; messages dropped as a slow consumer are also
// dead-lettered (a [Dropped] with its count, [reactor.ReasonOverflow]).
// [WithReconnect] sets how a client connection reconnects.
//
// [Broadcast] is never implicit: when several nodes export one name, each
// event goes to exactly one of them. Only a channel from Broadcast sends
// to all of them (see Registry).
//
// # Registry
//
// [WithRegistry] makes a node a member of its namespace's registry, a
// JetStream key-value bucket of leases: one per node, holding its id and the
// names it exports, renewed every third of its TTL ([WithLeaseTTL]), removed
// at once by Close and expiring a TTL after the last renewal when the node
// dies. [Node.Members], [Node.Exporters] and [Node.WatchMembers] show the
// registry as the node sees it, so nodes find each other with nothing but the
// NATS URL; a node with an embedded server lists another member's name once
// its server can route to it (see Node.Members). On such a node, Export also
// subscribes the name's node subject ([NodeChannel] reaches that one node)
// and broadcast subject (Broadcast reaches every exporting node once each):
//
//	n, _ := remote.Start(context.Background(), sys, remote.WithURL(url), remote.WithRegistry())
//	all, _ := remote.Broadcast[job](n, "workers")   // every node
//	all.Send(job{})
//	one, _ := remote.Channel[job](n, "workers")     // any one node
//	one.Send(job{})
//
// On a node with a registry, Serve also announces its name in the lease
// (Exporters lists the nodes serving it) and subscribes the name's node
// subject, so that [NodeClient] asks the server of one given node.
//
// Package remote/follow keeps a router's targets (or a group of a
// router.Paths tree) equal to the NodeChannels of a name's exporters,
// sorted by node id, so router policies (round-robin, hash, consistent
// hash) work across nodes.
//
// # Clusters
//
// WithCluster joins the embedded servers of several nodes by NATS routes into
// one cluster (a full mesh: the servers gossip the routes they know), so that
// nodes in several processes or on several machines reach each other with no
// NATS deployment of their own. Every guarantee above holds across the
// routes: per-sender FIFO, one exporter per event of a name exported by
// several nodes (a queue group spanning the cluster), requests and replies. A
// clustered server opens two ports, a route listener and a client listener
// (NATS forms no routes without the latter), both on 127.0.0.1 and a random
// port unless [ClusterConfig] says otherwise; [Node.ClusterURL] and
// [Node.ClientURL] name them, for other nodes' [ClusterConfig.Routes] and for
// WithURL clients. The node's own connection stays in-process. The listeners
// carry no TLS; routes may require a user and password
// ([ClusterConfig.Username]).
//
//	seed, _ := remote.Start(context.Background(), sys, remote.WithCluster(remote.ClusterConfig{Name: "c"}))
//	other, _ := remote.Start(context.Background(), sys2, remote.WithCluster(remote.ClusterConfig{
//		Name: "c", Routes: []string{seed.ClusterURL()}}))
//
// Routes and interest travel asynchronously: an export on one server is
// reachable from another a moment (milliseconds on one machine) after
// Export returns; an event sent before is gone, as any event sent to a
// name nobody exports. The registry of a node lists the export only once
// it is reachable from that node's server.
//
// With WithRegistry, the cluster's servers run JetStream as a cluster and
// the registry bucket is replicated (by default on min(3, servers)
// servers); it stays available while a majority of the servers runs.
// Every server then needs routes to all the others, and Start blocks
// until the JetStream cluster has elected its leader, at most the connect
// timeout ([DefaultClusterTimeout]; docs/design.md gives the election
// timings and the hand-over at Close). A member that closes is seen
// leaving at once; one whose process dies is seen leaving when its lease
// expires, and members whose registry watch ran on its server see
// changes again only after the watch recovers (about ten seconds).
//
// # Tables
//
// Package remote/table spreads one sharded key-value table over the
// registry nodes that open it under a name, on top of this package's
// transport and registry: each node holds its share of the keys in a
// local dht.Table and serves it to the others.
//
// # Cost
//
// The embedded server costs about 2 ms to start, 5 MB and a dozen
// goroutines; each Export costs one NATS subscription and one goroutine.
// A clustered server adds two listeners and, per other server of the
// cluster, four TCP connections with two goroutines each.
// A remote send costs its encoding plus a lock and a copy into the
// connection's buffer (a codec that is also an [Appender] encodes into a
// reused buffer, with no allocation); see the README's W7 for measured rates.
package remote
