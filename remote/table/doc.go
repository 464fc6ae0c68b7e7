// Package table spreads one sharded key-value table over the remote
// nodes (package remote) that open it under a name: each node holds its
// share of the keys in a local [dht.Table] and serves it to the others, and
// an operation on any node reaches the key's holder, locally or by one
// NATS request through the node's connection.
//
//	n, _ := remote.Start(context.Background(), sys, remote.WithURL(url), remote.WithRegistry())
//	t, _ := table.Open[string, int](ctx, n, "stock", dht.StringKey, table.Config[int]{})
//	defer t.Close(ctx)                          // hands this node's keys over
//	t.Put(ctx, "apples", 3)                     // reaches the node that holds "apples"
//	owner, _ := t.Owner("apples")               // the id of the node holding it
//
// A node must be started with [remote.WithRegistry]: the members of a
// table are registry members, and a member whose registry lease ends is
// removed from the table. The layout (the members, with an epoch) is a
// key of a JetStream key-value bucket changed by compare-and-set. Keys
// fall into 1,024 slots; a slot's holder is the member of highest
// rendezvous score, so a node that joins takes about 1/(n+1) of the
// slots and one that leaves gives away only its own, handed over in
// acknowledged chunks.
//
// Guarantees: operations on a key stay linearizable while members join
// and leave. By default a table is durable: every write is stored in
// the table's JetStream bucket (replicated) before it returns, under
// the layout's epoch, which the next layout change revokes, so that a
// member that lost its keys cannot store a late write, and a member
// that dies loses nothing; [Config.Cache] keeps keys in memory
// only (see [Table]). Operations block, and fail at once with
// [reactor.ErrInsideReactor] when called from a reactor's handler.
//
// Table and dht.Table both satisfy [dht.Store], so code written against
// that interface runs on either. Keys and values travel and are stored
// as JSON (between members, inside a small binary envelope).
package table
