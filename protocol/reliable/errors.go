package reliable

import "errors"

// ErrClosed: a value was sent on a link that was closed, by its owner or
// because its transport refused a frame (the error that wraps it then
// wraps the transport's error too). Match it with [errors.Is].
var ErrClosed = errors.New("reliable: link closed")
