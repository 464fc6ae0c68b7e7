package reactor

// HaltRequested reports whether the reactor owning ch was asked to stop
// after its running handler (Shutdown or Stop), so that tests can order a
// handler's release after the request.
func HaltRequested[T any](ch Channel[T]) bool {
	return ch.c.f.flags.Load()&flagsHalting != 0
}

// HookSample returns the system's hook sample, as WithHookSample rounded
// it.
func HookSample(s *System) int { return 1 << (32 - s.cfg.hookShift) }

// MailboxHeld reports whether ch's main mailbox holds a queue segment
// (pins memory). Call it only while the reactor's turns cannot run (idle,
// or held in a handler).
func MailboxHeld[T any](ch Channel[T]) bool { return ch.c.q.Holds() }

// Idle reports whether the reactor owning ch is idle: no turn running or
// queued.
func Idle[T any](ch Channel[T]) bool { return ch.c.f.state.Load() == stIdle }
