//go:build race

package relaxed

import "sync/atomic"

// StoreUint64 writes v to *p; in race builds with an atomic store.
func StoreUint64(p *atomic.Uint64, v uint64) { p.Store(v) }

// StoreInt64 writes v to *p; in race builds with an atomic store.
func StoreInt64(p *atomic.Int64, v int64) { p.Store(v) }

// StoreUint32 writes v to *p; in race builds with an atomic store.
func StoreUint32(p *atomic.Uint32, v uint32) { p.Store(v) }
