// Package remote carries reactor channels across processes over NATS. It
// is the only package of the module that imports NATS: systems that do not
// use it neither link nor start any of it.
//
// A Node is a reactor system's presence on NATS. Start creates it: by
// default with an embedded NATS server in this process that opens no port
// and an in-process connection to it (zero set-up, and the same code path
// as a real deployment); with WithLeafNode the embedded server also joins
// an existing NATS deployment as a leaf node (still no port opened here);
// with WithURL the node is a plain client of an existing deployment,
// authenticated by WithUserInfo or WithToken and secured by WithTLS.
// Close ends the connection, the embedded server and every goroutine the
// node started.
//
//	n, _ := remote.Start(sys)
//	defer n.Close(ctx)
//	remote.Export(n, "counter", counterCh)          // receive side
//	ch, _ := remote.Channel[int](n, "counter")      // send side, any node
//	ch.Send(1)
//
// Export makes a local reactor.Channel reachable under a name; Channel
// returns a reactor.Channel for a name, whose Send encodes the event with
// the name's Codec (JSON by default) and publishes it. A remote channel is
// an ordinary reactor.Channel: routers, servers and names take it as any
// other.
//
// Serve makes a server.Server answer NATS requests under a name; a Client
// of that name asks it from any node (Client.Ask blocks with a context,
// like server.Ask). Errors of the serving side come back as a typed
// *ServerError with a code.
//
// # Names
//
// A name is tokens separated by '/' or '#' ("workers/w1#main"); it is the
// NATS subject "<namespace>.<tokens>" (Subject). Names that would produce
// a wildcard, an empty token or an invalid subject are refused with
// ErrInvalidName before anything is sent or subscribed.
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
// the node's payload limit fails its Send with a *PayloadError; a payload
// that its codec cannot decode is dead-lettered on the receiving system
// with reactor.ReasonUndecodable and an Undecodable value; events the
// local channel refuses are dead-lettered as a local send would be.
//
// At least once: with WithAtLeastOnce on both the Channel and the Export
// of a name, every event whose Send returned nil reaches the exporter's
// channel exactly once and in order per sender, across disconnections and
// NATS server restarts, as long as the sending node runs: events carry
// per-sender sequence numbers, the exporter acknowledges them and drops
// duplicates, and the sender keeps a bounded window of unacknowledged
// events that it sends again on a timer and on reconnection. Send fails
// with ErrWindowFull when the window stays full for the option's Block
// time (at once by default).
//
// Failures are never silent: Node.Events reports disconnections,
// reconnections (and whether the server is a restarted instance), the
// closing of the connection, slow consumers (an export whose pending
// limit overflowed, with its name and the number of messages dropped) and
// other asynchronous errors; messages dropped as a slow consumer are also
// dead-lettered (a Dropped with its count, reactor.ReasonOverflow).
// WithReconnect sets how a client connection reconnects.
//
// Broadcast is never implicit: when several nodes export one name, each
// event goes to exactly one of them. Only a channel from Broadcast sends
// to all of them (see Registry).
//
// # Registry
//
// WithRegistry makes a node a member of its namespace's registry, a
// JetStream key-value bucket of leases: one per node, holding its id and
// the names it exports, renewed every third of its TTL (WithLeaseTTL),
// removed at once by Close and expiring a TTL after the last renewal when
// the node dies. Members, Exporters and WatchMembers show the registry as
// the node sees it, so nodes find each other with nothing but the NATS
// URL. On such a node, Export also subscribes the name's node subject
// (NodeChannel reaches that one node) and broadcast subject (Broadcast
// reaches every exporting node once each). Follow keeps a router's
// targets equal to the NodeChannels of a name's exporters, sorted by node
// id, so router policies (round-robin, hash, consistent hash) work across
// nodes; FollowPaths does the same for a group of a router.Paths tree
// ("prefix/*" broadcasts to the exporting nodes, "prefix/?" selects one):
//
//	n, _ := remote.Start(sys, remote.WithURL(url), remote.WithRegistry())
//	rt := router.New(sys, "workers", router.RoundRobin[job]())
//	f, _ := remote.Follow(n, "workers", rt)
//	defer f.Stop()
//	rt.Channel().Send(job{})                        // one node, in turn
//	all, _ := remote.Broadcast[job](n, "workers")   // every node
//	all.Send(job{})
//	one, _ := remote.Channel[job](n, "workers")     // any one node
//	one.Send(job{})
//
// # Tables
//
// OpenTable spreads one sharded key-value table over the registry nodes
// that open it under a name: each holds its share of the keys in a local
// dht.Table and serves it to the others, and an operation on any node
// reaches the key's holder (locally, or by one NATS request). The layout
// (the members, with an epoch) is a key of a JetStream KV bucket changed
// by compare-and-set; a key's holder is the member of highest rendezvous
// score, so a node that joins takes about 1/(n+1) of the keys and one that
// leaves gives away only its own, handed over in acknowledged chunks.
// Operations on a key stay linearizable while members join and leave;
// there is no replication, so a member that dies loses its keys (see
// Table). Table and dht.Table both satisfy dht.Store.
//
//	t, _ := remote.OpenTable[string, int](ctx, n, "stock", dht.StringKey, remote.TableConfig[int]{})
//	defer t.Close(ctx)                          // hands this node's keys over
//	t.Put(ctx, "apples", 3)
//	owner, _ := t.Owner("apples")               // the id of the node holding it
//
// # Cost
//
// The embedded server costs about 2 ms to start, 5 MB and a dozen
// goroutines; each Export costs one NATS subscription and one goroutine.
// A remote send costs its encoding plus a lock and a copy into the
// connection's buffer; see the README's W7 for measured rates.
package remote
