//go:build !linux || !amd64 || race

package sched

// registerBarrier reports false: without a process-wide barrier the
// run-next slot is written with atomic stores (see watch.go). Race builds
// take this path too, so that the detector sees every synchronization.
func registerBarrier() bool { return false }

// processBarrier is never called when registerBarrier reports false.
func processBarrier() bool { return false }
