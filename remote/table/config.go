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
}
