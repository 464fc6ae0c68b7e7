package dht

import (
	"errors"
	"fmt"
)

// Errors of package dht. Match them with [errors.Is].
var (
	// ErrClosed: the table was closed ([Table.Close]); the operation did not
	// happen.
	ErrClosed = errors.New("dht: table closed")
	// ErrUserPanic: a function given by the caller (the key function, a
	// [Table.CompareAndSwap] equality, or the map's hashing of an interface key)
	// panicked during one operation. That operation failed and did not
	// change the table; the table and its data are intact.
	ErrUserPanic = errors.New("dht: user function panicked")
	// ErrShards: [New] was asked for fewer than one shard.
	ErrShards = errors.New("dht: shard count must be at least 1")
	// ErrNilFunc: a required function ([New]'s key function, a
	// [Table.CompareAndSwap] equality, [Table.Range]'s f) was nil.
	ErrNilFunc = errors.New("dht: nil function")
)

// BatchError is the failure of a [Table.MultiGet] or [Table.MultiPut] (or
// their In forms) that some shards applied and others did not: a batch is
// atomic per shard only. Applied has one entry per item of the batch, in
// batch order: true if the item's shard applied its part (the item took
// effect, and its result beside the error is valid), false if that part did
// not happen. Err says why the other parts failed: the end of the caller's
// context ([context.Cause]), [ErrClosed], [ErrUserPanic], the end of a shard;
// several causes are joined. Match it with [errors.As]; [errors.Is] sees
// through it to Err.
type BatchError struct {
	Applied []bool
	Err     error
}

// Error reports how many items took effect and why the rest did not.
func (e *BatchError) Error() string {
	n := 0
	for _, a := range e.Applied {
		if a {
			n++
		}
	}
	return fmt.Sprintf("dht: batch applied %d of %d items: %v", n, len(e.Applied), e.Err)
}

// Unwrap returns Err.
func (e *BatchError) Unwrap() error { return e.Err }

// errMoved is a shard's answer to an operation placed with a layout
// older than the shard's own, for a key the shard no longer owns: the
// operation did not happen, and the table places it again with its
// current layout. It never reaches a caller.
var errMoved = errors.New("dht: key moved by a resize")
