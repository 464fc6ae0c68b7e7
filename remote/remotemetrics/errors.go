package remotemetrics

import "errors"

// ErrNilNode is Register's error for a nil node.
var ErrNilNode = errors.New("remotemetrics: nil node")
