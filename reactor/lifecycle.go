package reactor

import "fmt"

// Phase is the kind of a lifecycle event.
type Phase uint8

// [Lifecycle] phases, in the order a reactor goes through them:
// Started, then (Scheduled, Preempted) for every turn, then Died if it
// failed, then Terminated.
const (
	// Started: the constructor has returned; emitted before any other event.
	Started Phase = iota
	// Scheduled: a turn begins.
	Scheduled
	// Preempted: a turn ends (the budget ran out or the queues are empty).
	// Protocols flush batched work here.
	Preempted
	// Died: the constructor or a handler failed; [Lifecycle.Err] says how.
	// With a restart policy the next incarnation's constructor runs after it.
	Died
	// Terminated: the last event; the reactor's connectors are sealed.
	Terminated
)

var phaseNames = [...]string{"started", "scheduled", "preempted", "died", "terminated"}

func (p Phase) String() string {
	if int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return fmt.Sprintf("phase(%d)", uint8(p))
}

// Lifecycle is an event of a reactor's own lifecycle stream
// ([Reactor.Lifecycle]). Err is set for [Died].
type Lifecycle struct {
	Phase Phase
	Err   error
}

func (f *frame) emitLife(ev Lifecycle) {
	if x := f.x.Load(); x != nil {
		x.emitLife(ev)
	}
}

func (x *extra) emitLife(ev Lifecycle) {
	if x.life.HasSubscribers() {
		x.life.Emit(ev)
	}
}

// emitLifeSafe emits where a failing handler must not stop termination; a
// panic is reported to the failure handler and otherwise ignored.
func (f *frame) emitLifeSafe(ev Lifecycle) {
	defer func() {
		if v := recover(); v != nil {
			f.sys.reportFailure(f, failureOf(v), true)
		}
	}()
	f.emitLife(ev)
}
