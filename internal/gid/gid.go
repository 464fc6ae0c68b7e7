// Package gid identifies the running goroutine cheaply.
//
// [Current] returns an opaque, non-zero word that is stable for the lifetime of
// the calling goroutine and differs between goroutines that are alive at the
// same time. The runtime uses it to tell whether a call comes from a
// scheduler worker or from inside a given reactor (run-next hand-off,
// ownership checks, caller-runs). It is never used as a map key across a
// goroutine's death: a word may be reused by a later goroutine.
//
// On architectures without an assembly implementation Current returns 0,
// which callers treat as "unknown goroutine": the optimisations that need it
// are skipped and the checks that need it are not made.
package gid

// Supported reports whether [Current] identifies goroutines on this
// architecture.
const Supported = supported
