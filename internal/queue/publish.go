package queue

import "sync/atomic"

// A slot's ready word is 0 until its producer has written the value and 1
// after. The producer writes it with publish, the consumer reads it with
// published. publish must order the write of the value before its own
// store (a release store) and published must order its load before the
// read of the value (an acquire load); nothing else is needed, because
// each slot has exactly one writer and is published once.

// published reports whether the slot whose ready word is w has been
// published. It is an atomic (acquire) load.
func published(w *uint32) bool { return atomic.LoadUint32(w) != 0 }
