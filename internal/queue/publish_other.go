//go:build !amd64 || race

package queue

import "sync/atomic"

// publish marks a slot published with an atomic store, which is a release
// store on every architecture Go supports (and what the race detector
// understands).
func publish(w *uint32) { atomic.StoreUint32(w, 1) }
