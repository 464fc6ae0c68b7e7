package dht

import "context"

// Store is what every sharded table of this module offers, whether its
// shards live in this process ([Table]) or on several nodes (the remote
// package's Table): code written against a Store runs on either. Its
// methods block on ctx and are safe for concurrent use; each
// implementation documents its costs and failures.
type Store[K comparable, V any] interface {
	// Get returns the value of k and whether k is present.
	Get(ctx context.Context, k K) (V, bool, error)
	// Put sets k to v and returns the previous value and whether there
	// was one.
	Put(ctx context.Context, k K, v V) (prev V, had bool, err error)
	// Delete removes k and returns its value and whether it was present.
	Delete(ctx context.Context, k K) (prev V, had bool, err error)
	// Len returns the number of keys.
	Len(ctx context.Context) (int, error)
}

var _ Store[string, int] = (*Table[string, int])(nil)
