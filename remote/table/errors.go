package table

import "errors"

// ErrClosed: an operation on a [Table] after its [Table.Close]. An operation on a
// table whose node is closed fails with [remote.ErrClosed] instead.
var ErrClosed = errors.New("table: closed")
