//go:build linux && amd64 && !race

package sched

import "syscall"

// The membarrier system call (Linux 4.14 and later): its number on amd64
// and the commands used here.
const (
	sysMembarrier                      = 324
	membarrierQuery                    = 0
	membarrierPrivateExpedited         = 1 << 3
	membarrierRegisterPrivateExpedited = 1 << 4
)

// registerBarrier reports whether processBarrier works in this process,
// registering the process for it first. It costs two system calls.
func registerBarrier() bool {
	want := uintptr(membarrierPrivateExpedited | membarrierRegisterPrivateExpedited)
	r, _, e := syscall.Syscall(sysMembarrier, membarrierQuery, 0, 0)
	if e != 0 || r&want != want {
		return false
	}
	_, _, e = syscall.Syscall(sysMembarrier, membarrierRegisterPrivateExpedited, 0, 0)
	return e == 0
}

// processBarrier makes every thread of the process that is running execute
// a full memory barrier before it returns: a store a worker made before
// that point is then visible to the caller, and a load a worker makes
// after it sees what the caller stored before the call. It reports false
// if the call failed. It costs a system call and an interrupt to each CPU
// running one of the process's threads: a few microseconds.
func processBarrier() bool {
	_, _, e := syscall.Syscall(sysMembarrier, membarrierPrivateExpedited, 0, 0)
	return e == 0
}
