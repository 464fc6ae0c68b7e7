package table

// Config configures a [Table] on the node that opens it. Every node of one
// table must give the same Equal (it runs on the node holding the key);
// Shards may differ from node to node. The zero Config is valid.
type Config[V any] struct {
	// Shards is the number of shard reactors of the node's own part of
	// the table (a local [dht.Table]); 0 means 4.
	Shards int
	// Equal is [Table.CompareAndSwap]'s equality of values. Nil means that two
	// values are equal when their JSON encodings are.
	Equal func(a, b V) bool
	// Cache turns durability off: each member keeps its keys only in
	// memory, and a member that dies loses them (see [Table]). Every
	// node of one table must give the same Cache.
	Cache bool
	// Replicas is the number of copies JetStream keeps of the table's
	// bucket (its layout and, for a durable table, every entry), 1 to 5.
	// The default 0 asks for 3 and settles for fewer when the JetStream
	// system has fewer servers. It only matters to the node that creates
	// the bucket.
	Replicas int
}
