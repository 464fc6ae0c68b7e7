//go:build amd64 && !race

package queue

// publish marks a slot published: a plain 32-bit store of 1 to w, in
// assembly. On amd64 every store is a release store (stores are not
// reordered with older stores), so the value written before the call is
// visible to any goroutine that sees w set; and a call to an assembly
// function is a barrier for the compiler, which therefore completes the
// value's stores before it. It saves the locked exchange that
// atomic.StoreUint32 compiles to, whose full fence the queue does not
// need. Race builds use atomic.StoreUint32, which the detector
// understands (publish_other.go).
//
//go:noescape
func publish(w *uint32)
