package reactor

import (
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

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

	// flagLoop is set at spawn, before the frame is published, and never
	// cleared: the reactor's turns run on its own loop (x.loop), not on the
	// pool. It lives here rather than as a field so that an idle reactor
	// stays in a smaller size class, and a pool reactor's schedule still
	// reads one word.
	flagLoop uint32 = 1 << 31

	// flagsHalting end a turn after the handler that is running: the
	// turn's drain loops test them before each event.
	flagsHalting = flagStop | flagHalt

	// flagsRequests are the flags a turn acts on: all but flagLoop.
	flagsRequests = ^flagLoop
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
	view() connView // what introspection reads (see connView)
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
	handed    uint8 // holder of the scheduling right: events handed over in first, counted down (see sampleHanded)
	id        uint64
	obs       atomic.Uint64 // events handled and start second (see countHandled); owner writes
	sys       *System
	tab       unsafe.Pointer // the method table of the reactor's typed part (see typed)
	prev      *frame         // guarded by sys.mu
	next      *frame         // guarded by sys.mu
	x         atomic.Pointer[extra]
}

// extra holds what most reactors never use, so that an idle reactor stays
// small. It is allocated on first need, by any goroutine.
type extra struct {
	name string             // immutable after spawn; "" for unnamed reactors
	loop *sched.Loop[frame] // immutable after spawn: the dedicated or caller scheduler (flagLoop); nil for the pool

	// owner only
	conns   []pump // opened connectors besides main, in opening order
	compact bool   // conns holds sealed connectors
	cursor  int    // round-robin position: 0 is main, i is conns[i-1]
	life    events.Emitter[Lifecycle]
	restart *RestartPolicy
	body    any         // immutable after spawn: the func(*Reactor[T]) of a reactor with a restart policy
	history []time.Time // restart times within the policy window
	backoff time.Duration
	timer   *time.Timer // pending restart
	log     *zerolog.Logger

	view atomic.Pointer[[]connView] // conns for introspection (see publishConns)

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

// ownLoop returns the reactor's own loop, or nil for a pool reactor.
func (f *frame) ownLoop() *sched.Loop[frame] {
	if f.flags.Load()&flagLoop == 0 {
		return nil
	}
	return f.x.Load().loop
}

func (f *frame) schedule() {
	if l := f.ownLoop(); l != nil {
		l.Schedule()
		return
	}
	f.sys.pool.Schedule(f)
}

// scheduleYield is schedule for a plain goroutine that will wait next
// for the turn's outcome alongside a context ([Channel.SendAndYield]):
// if scheduling woke the goroutine that runs the turn (a parked pool
// worker, or the reactor's dedicated goroutine), the caller made it
// runnable on its own processor, and yields that processor once so that
// the turn runs at once. A short turn is then over when the caller
// resumes, and the caller finds its answer without parking; a long one
// runs on while the caller, runnable again, is picked up by the next
// free processor. The caller never runs the turn.
func (f *frame) scheduleYield() {
	var woke bool
	if l := f.ownLoop(); l != nil {
		woke = l.Schedule() && !l.OnCaller()
	} else {
		woke = f.sys.pool.ScheduleOutside(f) // the caller holds no ownership slot
	}
	if woke {
		runtime.Gosched()
	}
}

// runHere runs the turn the caller has just scheduled on the caller's own
// goroutine, with a guest ownership slot ([Channel.SendAndRun]): a turn of
// one event, so that the caller runs its own request and nobody else's
// work after it. A reactor with a loop of its own, or a caller that gets
// no guest slot, is scheduled as usual. If work remains after the turn,
// the reactor goes to the pool, still scheduled.
func (f *frame) runHere() {
	if l := f.ownLoop(); l != nil {
		l.Schedule()
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
// While no Turn hook is registered, the hooks cost one atomic load and a
// branch here.
func (f *frame) turnAs(s *owner.Slot, budget int) bool {
	if h := f.sys.turnHooks.Load(); h != nil && f.sys.sampled(s.Draw()) {
		return f.timedTurn(s, budget, *h)
	}
	s.Set(f.id)
	again := f.turnOf(budget)
	s.Set(0)
	return again
}

// checkOwner panics with [ErrNotOwner] unless the calling goroutine runs
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
	if fl := f.flags.Load() & flagsRequests; fl != 0 {
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
	if f.flags.Load()&flagsRequests != 0 {
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
	if more && f.pendingAll() {
		return true
	}
	if f.queued {
		if f.state.Load()&stNotified != 0 {
			// A sender queued more meanwhile: run again and keep the
			// mailbox's segments for the sends still coming. Trimming
			// here made a busy reactor drop its segment at nearly every
			// turn and its senders make it again, growing from the
			// smallest size each time (W3 measured that as a tenth of
			// a fan-out's time).
			f.state.Store(stScheduled) // clear notified: the next turn looks anyway
			return true
		}
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
	f.typed().trim()
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
		f.typed().construct()
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

// drainAll delivers up to budget events, round-robin across connectors and
// FIFO within each: a connector is drained until it is empty, then the next
// one; when the budget runs out, the next turn starts at the following
// connector. It reports whether the budget ran out.
func (f *frame) drainAll(budget int) bool {
	x := f.x.Load()
	if x == nil || len(x.conns) == 0 {
		n := f.typed().drain(budget)
		// A sender that queued events while the queue was being read
		// has notified the turn: while budget remains, clear that and
		// read the queue again, as the next turn would, without going
		// through the run queue. The order (clear, then read) is
		// release's: a sender that saw the flag still set had published
		// its event before the clear, so the read sees it. Only while
		// the main connector is still the only one: a handler that
		// opened another may have been notified for that one, and the
		// notification must then end the turn, for the next to read
		// every connector (TestConnectorOpenedMidTurnIsRead).
		for n > 0 && n < budget && f.state.Load()&stNotified != 0 {
			if x := f.x.Load(); x != nil && len(x.conns) > 0 {
				break
			}
			f.state.Store(stScheduled)
			m := f.typed().drain(budget - n)
			if m == 0 {
				break
			}
			n += m
		}
		f.countHandled(n)
		return n == budget
	}
	start := budget
	n := len(x.conns) + 1
	for i := range n {
		idx := (x.cursor + i) % n
		var p pump = f.typed()
		if idx > 0 {
			p = x.conns[idx-1]
		}
		budget -= p.drain(budget)
		if budget == 0 {
			x.cursor = (idx + 1) % n
			break
		}
	}
	f.countHandled(start - budget) // a turn that a handler's panic ends counts nothing, as with one connector
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
		f.publishConns(x)
	}
	return budget == 0
}

// claimedAny reports whether a sender has claimed a slot of some
// connector's queue that the turn has not read: a push under way, whose
// event is not visible yet. A draining reactor does not terminate while
// one is: that sender found the connector open, so its event is to be
// handled, not dead-lettered; the reactor goes idle instead, and the
// sender's notify schedules it once the slot is published.
//
// Going idle needs no such check: the queue publishes a slot with an
// atomic store before its sender reads the reactor's state (notify), and
// a turn reads the slot after it cleared the notified state (release).
// Atomic operations being sequentially consistent, either the turn sees
// the slot or the sender sees the cleared state and schedules the
// reactor.
func (f *frame) claimedAny() bool {
	if f.typed().claimed() {
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

func (f *frame) pendingAll() bool {
	if f.typed().pending() {
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
