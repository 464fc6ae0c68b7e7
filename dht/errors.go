package dht

import "errors"

// Errors of package dht. Match them with errors.Is.
var (
	// ErrClosed: the table was closed (Close); the operation did not
	// happen.
	ErrClosed = errors.New("dht: table closed")
	// ErrUserPanic: a function given by the caller (the key function, a
	// CompareAndSwap equality, or the map's hashing of an interface key)
	// panicked during one operation. That operation failed and did not
	// change the table; the table and its data are intact.
	ErrUserPanic = errors.New("dht: user function panicked")
	// ErrShards: New was asked for fewer than one shard.
	ErrShards = errors.New("dht: shard count must be at least 1")
	// ErrNilFunc: a required function (New's key function, a
	// CompareAndSwap equality) was nil.
	ErrNilFunc = errors.New("dht: nil function")
)
