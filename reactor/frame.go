package reactor

import (
	"fmt"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/internal/gid"
	"github.com/reactors-go/reactors/internal/owner"
	"github.com/reactors-go/reactors/internal/sched"
)

// The state word. A reactor is idle (no turn running or queued) or
// scheduled (exactly one turn running or queued). Whoever switches it from
// idle to scheduled owns the right to run the next turn and must schedule
// the frame; nobody else may. notified is set by senders that found the
// reactor scheduled, to tell the running turn that more events may have
// arrived after it looked; the turn then runs again instead of going idle.
// dead is final.
//
// Two states suffice: a separate "running" store would cost a full fence
// per turn on top of the release.
const (
	stIdle      uint32 = 0
	stScheduled uint32 = 1
	stNotified  uint32 = 2
	stDead      uint32 = 4
)

// Frame flags, set from any goroutine and read at the start of a turn and
// before each event of it.
const (
	flagStop    uint32 = 1 << iota // terminate after the running handler (Shutdown)
	flagBackoff                    // waiting to restart: handle nothing
	flagEnded                      // terminated and off the live list
	flagHalt                       // terminate after the running handler (Channel.Stop)
	flagDrain                      // refuse new events, terminate once drained (Channel.Drain)

	// flagsHalting end a turn after the handler that is running: the
	// turn's drain loops test them before each event.
	flagsHalting = flagStop | flagHalt
)

// pump is the owner side of a connector, as the turn loop sees it. All
// methods are owner only.
type pump interface {
	drain(budget int) int // deliver up to budget events, return how many
	pending() bool        // undelivered events are queued
	claimed() bool        // a sender holds a queue slot that the turn has not read
	shut(r Reason)        // close, dead-letter what is queued, complete the stream
	stopping()            // refuse new sends; what is queued is still delivered (Drain)
	reset()               // complete every subscriber and start a fresh list (restart)
	sealed() bool
	keepsAlive() bool // open and not a daemon
	trim()            // release the mailbox's memory if it is empty
	connName() string
}

// typed is the generic part of a reactor: its main connector and body.
type typed interface {
	pump
	construct()
}

// frame is the untyped core of a reactor: scheduling state, connectors,
// lifecycle. Fields marked owner are touched only by the goroutine running
// the reactor's turn.
type frame struct {
	state     atomic.Uint32
	flags     atomic.Uint32
	nonDaemon int32 // owner: open non-daemon connectors
	started   bool  // owner: the constructor of this incarnation has run
	queued    bool  // owner: a turn took events from a queue since the last trim
	draining  bool  // owner: a drain request closed the connectors to new sends
	id        uint64
	sys       *System
	t         typed
	loop      *sched.Loop[frame] // dedicated or caller scheduler; nil for the pool
	prev      *frame             // guarded by sys.mu
	next      *frame             // guarded by sys.mu
	x         atomic.Pointer[extra]
}

// extra holds what most reactors never use, so that an idle reactor stays
// small. It is allocated on first need, by any goroutine.
type extra struct {
	name string // immutable after spawn; "" for unnamed reactors

	// owner only
	conns   []pump // opened connectors besides main, in opening order
	compact bool   // conns holds sealed connectors
	cursor  int    // round-robin position: 0 is main, i is conns[i-1]
	life    events.Emitter[Lifecycle]
	restart *RestartPolicy
	history []time.Time // restart times within the policy window
	backoff time.Duration
	timer   *time.Timer // pending restart
	log     *zerolog.Logger

	mu       sync.Mutex // guards the fields below
	watchers []func(error)
	done     chan struct{} // closed once the watchers have run (finished)
	ended    bool
	finished bool
	err      error
	restarts int
}

func (f *frame) ensureExtra() *extra {
	if x := f.x.Load(); x != nil {
		return x
	}
	f.x.CompareAndSwap(nil, new(extra))
	return f.x.Load()
}

func (f *frame) name() string {
	if x := f.x.Load(); x != nil && x.name != "" {
		return x.name
	}
	return "reactor-" + strconv.FormatUint(f.id, 10)
}

func (f *frame) schedule() {
	if f.loop != nil {
		f.loop.Schedule()
		return
	}
	f.sys.pool.Schedule(f)
}

// runHere runs the turn the caller has just scheduled on the caller's own
// goroutine, with a guest ownership slot (Channel.SendAndRun): a turn of
// one event, so that the caller runs its own request and nobody else's
// work after it. A reactor with a loop of its own, or a caller that gets
// no guest slot, is scheduled as usual. If work remains after the turn,
// the reactor goes to the pool, still scheduled.
func (f *frame) runHere() {
	if f.loop != nil {
		f.loop.Schedule()
		return
	}
	s := owner.Guest()
	if s == nil {
		f.sys.pool.Schedule(f)
		return
	}
	again := f.turnAs(s, 1)
	s.Release()
	if again {
		f.sys.pool.Schedule(f)
	}
}

// notify makes sure a turn will look at the reactor's queues after the
// caller's enqueue: it schedules an idle reactor, or marks a scheduled one
// notified.
func (f *frame) notify() {
	for {
		s := f.state.Load()
		switch {
		case s == stIdle:
			if f.state.CompareAndSwap(stIdle, stScheduled) {
				f.schedule()
				return
			}
		case s&(stNotified|stDead) != 0:
			return
		default:
			if f.state.CompareAndSwap(s, s|stNotified) {
				return
			}
		}
	}
}

// release ends a turn with nothing left to do. It reports true when a
// sender notified the turn meanwhile: the reactor stays scheduled and must
// run again.
func (f *frame) release() bool {
	if f.state.CompareAndSwap(stScheduled, stIdle) {
		return false
	}
	f.state.Store(stScheduled) // clear notified: the next turn looks anyway
	return true
}

// poolTurn and loopTurn run a turn with the goroutine's ownership slot
// naming this reactor, so that its streams accept the turn's calls.
func (f *frame) poolTurn(s *owner.Slot) bool { return f.turnAs(s, f.sys.cfg.budget) }

func (f *frame) loopTurn(s *owner.Slot) (again, finished bool) {
	again = f.turnAs(s, f.sys.cfg.budget)
	return again, f.state.Load()&stDead != 0
}

// turnAs runs a turn of at most budget events with s naming the reactor.
func (f *frame) turnAs(s *owner.Slot, budget int) bool {
	s.Set(f.id)
	again := f.turnOf(budget)
	s.Set(0)
	return again
}

// checkOwner panics with ErrNotOwner unless the calling goroutine runs
// this reactor's turn (or goroutines cannot be identified here).
func (f *frame) checkOwner() {
	if tok := owner.Current(); tok != f.id && gid.Supported {
		panic(fmt.Errorf("reactor %s: %w", f.name(), ErrNotOwner))
	}
}

// turnOf runs one turn of at most budget events. It reports whether the
// reactor must run again (it stays scheduled). Owner: whoever holds the
// scheduling right.
func (f *frame) turnOf(budget int) bool {
	if fl := f.flags.Load(); fl != 0 {
		switch {
		case fl&flagsHalting != 0:
			f.terminate(nil, haltReason(fl))
			return false
		case fl&flagBackoff != 0:
			return f.idleInBackoff()
		default:
			f.interrupted() // applies a drain request
		}
	}
	more, err := f.safeTurn(budget)
	if err != nil {
		return f.fail(err)
	}
	if f.flags.Load() != 0 {
		// A stop request that came during the turn ended it after the
		// running handler; a reactor asked to drain ends once drained
		// (whether or not the turn used its whole budget).
		if f.interrupted() {
			f.terminate(nil, haltReason(f.flags.Load()))
			return false
		}
		if f.draining && !f.pendingAll() && !f.claimedAny() {
			f.terminate(nil, ReasonStopped)
			return false
		}
	}
	if f.nonDaemon <= 0 && !f.pendingAll() {
		f.terminate(nil, ReasonTerminated)
		return false
	}
	if (more && f.pendingAll()) || f.claimedAny() {
		return true
	}
	if f.queued {
		f.queued = false
		f.trim()
	}
	return f.release()
}

// trim lets the mailboxes of a reactor that is going idle drop their
// segments, so that an idle reactor pins no queue memory. It runs only
// after turns that took events from a queue (queued): events handed over
// in place leave no segment behind.
func (f *frame) trim() {
	f.t.trim()
	if x := f.x.Load(); x != nil {
		for _, p := range x.conns {
			p.trim()
		}
	}
}

func (f *frame) safeTurn(budget int) (more bool, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = failureOf(v)
		}
	}()
	if !f.started {
		f.started = true
		f.t.construct()
		f.emitLife(Lifecycle{Phase: Started})
	}
	// The side record, and with it the lifecycle stream, is loaded once
	// per phase: most reactors have none, and then a turn costs no
	// lifecycle work at all.
	if x := f.x.Load(); x != nil {
		x.emitLife(Lifecycle{Phase: Scheduled})
	}
	more = f.drainAll(budget)
	if x := f.x.Load(); x != nil {
		x.emitLife(Lifecycle{Phase: Preempted})
	}
	return more, nil
}

func failureOf(v any) error {
	if u, ok := v.(*events.UnhandledError); ok {
		return u
	}
	return &PanicError{Value: v, Stack: debug.Stack()}
}

// drainAll delivers up to budget events, round-robin across connectors and
// FIFO within each: a connector is drained until it is empty, then the next
// one; when the budget runs out, the next turn starts at the following
// connector. It reports whether the budget ran out.
func (f *frame) drainAll(budget int) bool {
	x := f.x.Load()
	if x == nil || len(x.conns) == 0 {
		return f.t.drain(budget) == budget
	}
	n := len(x.conns) + 1
	for i := range n {
		idx := (x.cursor + i) % n
		var p pump = f.t
		if idx > 0 {
			p = x.conns[idx-1]
		}
		budget -= p.drain(budget)
		if budget == 0 {
			x.cursor = (idx + 1) % n
			break
		}
	}
	if x.compact {
		x.compact = false
		kept := x.conns[:0]
		for _, p := range x.conns {
			if !p.sealed() {
				kept = append(kept, p)
			}
		}
		clear(x.conns[len(kept):])
		x.conns = kept
		x.cursor = 0
	}
	return budget == 0
}

// claimedAny reports whether a sender has claimed a slot of some
// connector's queue that the turn has not read: its event may be written
// but not yet visible here. Such a reactor must not go idle: the queue
// publishes a slot with a plain store (a release store, not a full fence,
// on amd64), so a sender that then finds the reactor already notified
// returns without a locked instruction, and its publication can become
// visible after the turn looked at the slot. Its claim, a locked add made
// before it looked at the reactor's state, is visible to this check, which
// runs after the turn cleared the notified state; staying scheduled, the
// reactor runs again and reads the slot once it is published.
func (f *frame) claimedAny() bool {
	if f.t.claimed() {
		return true
	}
	if x := f.x.Load(); x != nil {
		for _, p := range x.conns {
			if p.claimed() {
				return true
			}
		}
	}
	return false
}

// interrupted runs before an event of a turn when the frame's flags are
// set: it applies a drain request, once, and reports whether a stop
// request ends the turn. Owner only.
func (f *frame) interrupted() bool {
	fl := f.flags.Load()
	if fl&flagDrain != 0 && !f.draining {
		f.draining = true
		f.stopping()
	}
	return fl&flagsHalting != 0
}

// stopping closes every connector of a draining reactor to new sends.
// Owner only.
func (f *frame) stopping() {
	f.t.stopping()
	if x := f.x.Load(); x != nil {
		for _, p := range x.conns {
			p.stopping()
		}
	}
}

// haltReason is the dead-letter reason of the events a halted reactor
// leaves queued: a system shutdown wins over a Stop.
func haltReason(fl uint32) Reason {
	if fl&flagStop != 0 {
		return ReasonShutdown
	}
	return ReasonStopped
}

func (f *frame) pendingAll() bool {
	if f.t.pending() {
		return true
	}
	if x := f.x.Load(); x != nil {
		for _, p := range x.conns {
			if p.pending() {
				return true
			}
		}
	}
	return false
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

// fail handles a failed constructor or handler: Died, then a restart or
// termination.
func (f *frame) fail(err error) bool {
	x := f.ensureExtra()
	f.emitLifeSafe(Lifecycle{Phase: Died, Err: err})
	restart := x.restart != nil && f.allowRestart(x)
	f.sys.reportFailure(f, err, !restart)
	if !restart {
		f.terminate(err, ReasonTerminated)
		return false
	}
	// Drop this incarnation: its opened connectors, handlers and timers.
	for _, p := range x.conns {
		f.safely(false, func() { p.shut(ReasonTerminated) })
	}
	x.conns, x.cursor, x.compact = nil, 0, false
	f.safely(false, f.t.reset)
	x.life.Clear()
	f.nonDaemon = 0
	if f.t.keepsAlive() {
		f.nonDaemon = 1 // the main connector lives on
	}
	f.started = false
	x.mu.Lock()
	x.restarts++
	x.mu.Unlock()
	if x.backoff <= 0 {
		return true // restart at once: the next turn runs the constructor
	}
	d := x.backoff
	x.backoff = min(2*x.backoff, max(x.restart.MaxBackoff, x.restart.Backoff))
	f.flags.Or(flagBackoff)
	x.timer = time.AfterFunc(d, func() {
		f.flags.And(^flagBackoff)
		f.notify()
	})
	return f.idleInBackoff()
}

func (f *frame) allowRestart(x *extra) bool {
	p := x.restart
	if p.MaxRestarts <= 0 {
		return false
	}
	now := time.Now()
	if p.Window > 0 {
		kept := x.history[:0]
		for _, t := range x.history {
			if now.Sub(t) < p.Window {
				kept = append(kept, t)
			}
		}
		x.history = kept
	}
	if len(x.history) == 0 {
		// The first failure, or the first after a quiet window: the wait
		// starts again from Backoff.
		x.backoff = p.Backoff
	}
	if len(x.history) >= p.MaxRestarts {
		return false
	}
	x.history = append(x.history, now)
	return true
}

// idleInBackoff releases a reactor that waits to restart, so that incoming
// events queue up without being handled. The restart timer clears the flag
// and then notifies; whichever of the two sides comes second reschedules.
//
// A stop request (Shutdown) ends the wait like the timer does: the next
// turn terminates the reactor.
func (f *frame) idleInBackoff() bool {
	waiting := func() bool { return f.flags.Load()&(flagBackoff|flagsHalting) == flagBackoff }
	for {
		if !waiting() {
			return true
		}
		s := f.state.Load()
		if f.state.CompareAndSwap(s, stIdle) {
			if !waiting() && f.state.CompareAndSwap(stIdle, stScheduled) {
				return true
			}
			return false
		}
	}
}

// terminate ends the reactor: Terminated, connectors closed and their
// queues dead-lettered with reason, name released, watchers told. A reactor
// that never needed its side record terminates without allocating one.
func (f *frame) terminate(err error, reason Reason) {
	x := f.x.Load()
	if x != nil {
		if x.timer != nil {
			x.timer.Stop()
		}
		x.mu.Lock()
		x.err = err
		x.mu.Unlock()
		f.emitLifeSafe(Lifecycle{Phase: Terminated})
		f.safely(true, x.life.Close)
	}
	f.state.Store(stDead)
	f.safely(true, func() { f.t.shut(reason) })
	if x != nil {
		for _, p := range x.conns {
			f.safely(true, func() { p.shut(reason) })
		}
		x.conns = nil
		// Release the name and leave the live list first, so that whoever
		// sees Done closed (or is told by a watch) can reuse the name.
		if x.name != "" {
			f.sys.names.releaseReactor(x.name, f)
		}
	}
	f.sys.unregister(f)
	// A watcher may create the side record at any time. It checks
	// flagEnded after creating it, and we load the record after setting
	// the flag, so at least one side finishes the record (endLocked).
	f.flags.Or(flagEnded)
	if x = f.x.Load(); x == nil {
		return
	}
	x.mu.Lock()
	w, first := x.endLocked()
	err = x.err
	x.mu.Unlock()
	x.told(w, first, err)
}

// endLocked records the end of the reactor in x, once: it returns the
// watchers to call (after unlocking) and reports whether this call
// recorded the end, so that its caller must then finish the record
// (told). x.mu must be held.
func (x *extra) endLocked() (w []func(error), first bool) {
	if x.ended {
		return nil, false
	}
	x.ended = true
	w = x.watchers
	x.watchers = nil
	return w, true
}

// told calls the watchers w with err and then, if first, closes done:
// whoever sees Done closed knows that every watcher registered before
// the end has run (a router no longer holds the reactor's channel).
func (x *extra) told(w []func(error), first bool, err error) {
	for _, fn := range w {
		fn(err)
	}
	if !first {
		return
	}
	x.mu.Lock()
	x.finished = true
	if x.done != nil {
		close(x.done)
	}
	x.mu.Unlock()
}

// lockEnded locks x.mu and, if the reactor has terminated, records the
// end; it returns the watchers the caller must call after unlocking, and
// whether it recorded the end (see told).
func (f *frame) lockEnded(x *extra) ([]func(error), bool) {
	x.mu.Lock()
	if f.flags.Load()&flagEnded != 0 {
		return x.endLocked()
	}
	return nil, false
}

// onTerminate calls fn(err) when the reactor terminates, at once (on the
// caller's goroutine) if it already has. Otherwise fn runs on the
// terminating reactor's goroutine and must not block.
func (f *frame) onTerminate(fn func(error)) {
	x := f.ensureExtra()
	fire, first := f.lockEnded(x)
	if x.ended {
		fire = append(fire, fn)
	} else {
		x.watchers = append(x.watchers, fn)
	}
	err := x.err
	x.mu.Unlock()
	x.told(fire, first, err)
}

// doneChan returns a channel closed when the reactor terminates.
func (f *frame) doneChan() <-chan struct{} {
	x := f.ensureExtra()
	fire, first := f.lockEnded(x)
	if x.done == nil {
		x.done = make(chan struct{})
		if x.finished {
			close(x.done)
		}
	}
	done, err := x.done, x.err
	x.mu.Unlock()
	x.told(fire, first, err)
	return done
}

func (s *System) reportFailure(f *frame, err error, final bool) {
	x := f.ensureExtra()
	x.mu.Lock()
	n := x.restarts
	x.mu.Unlock()
	fl := Failure{Reactor: f.name(), ID: f.id, Err: err, Restarts: n, Final: final}
	if h := s.cfg.onFailure; h != nil {
		h(fl)
		return
	}
	ev := s.log.Error().Str("reactor", fl.Reactor).Uint64("id", fl.ID).Err(err).Bool("final", final)
	if p, ok := err.(*PanicError); ok {
		ev = ev.Bytes("stack", p.Stack)
	}
	ev.Msg("reactor failed")
}
