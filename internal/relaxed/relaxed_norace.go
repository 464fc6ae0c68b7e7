//go:build !race

package relaxed

import (
	"sync/atomic"
	"unsafe"
)

// StoreUint64 writes v to *p with a plain store. Only one goroutine may
// write *p; others read it with p.Load.
func StoreUint64(p *atomic.Uint64, v uint64) { *(*uint64)(unsafe.Pointer(p)) = v }

// StoreInt64 writes v to *p with a plain store. Only one goroutine may
// write *p; others read it with p.Load.
func StoreInt64(p *atomic.Int64, v int64) { *(*int64)(unsafe.Pointer(p)) = v }

// StoreUint32 writes v to *p with a plain store. Only one goroutine may
// write *p; others read it with p.Load.
func StoreUint32(p *atomic.Uint32, v uint32) { *(*uint32)(unsafe.Pointer(p)) = v }
