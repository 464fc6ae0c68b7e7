package reactor

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/reactors-go/reactors/internal/sched"
)

// System owns reactors, the shared worker pool, the name registry and the
// dead-letter counters. Create one with [New] and stop it with [System.Shutdown].
//
// All methods are safe for concurrent use. A System must not be copied.
type System struct {
	cfg sysConfig

	// Read at every turn, and only written when hooks are added or
	// removed: kept beside cfg, which turns read too, and away from the
	// fields that spawns and terminations write.
	counting  atomic.Bool                                // count events handled per reactor: introspection on or hooks added
	turnHooks atomic.Pointer[[]func(time.Duration, int)] // Hooks.Turn; nil when none
	asks      atomic.Pointer[AskProbe]                   // nil when no ask hook

	log  zerolog.Logger
	pool *sched.Pool[frame]

	mu      sync.Mutex
	live    *frame        // guarded by mu: doubly linked list of live reactors
	nlive   int           // guarded by mu
	ended   uint64        // guarded by mu: reactors that have left the live list
	handled uint64        // guarded by mu: events handled by the reactors that have left it
	closed  bool          // guarded by mu
	stop    chan struct{} // closed when closed is set (Await's waiters end)
	allDone chan struct{} // closed once closed is set and nlive reaches 0
	loops   sync.WaitGroup

	names registry

	spawned   atomic.Uint64
	failures  atomic.Uint64
	restarts  atomic.Uint64
	obs       *observer // WithIntrospection's records; nil without it
	dead      [numReasons]atomic.Uint64
	deadWatch atomic.Pointer[[]Channel[DeadLetter]] // DeadLetters subscribers
	logGate   rateGate
	panicGate rateGate // logs of panicking dead-letter handlers
	hookGate  rateGate // logs of panicking hooks

	hookMu   sync.Mutex
	hookList []*Hooks // guarded by hookMu: registered hooks, in order
}

// nextID numbers reactors across all systems of the process, so that an id
// also names the reactor as an owner of streams (internal/owner).
var nextID atomic.Uint64

// New creates a system and starts its worker pool (GOMAXPROCS goroutines
// unless [WithWorkers] says otherwise; they park when there is no work and
// use no CPU at rest).
func New(opts ...Option) *System {
	cfg := sysConfig{workers: runtime.GOMAXPROCS(0), budget: 64, hookShift: hookShift(DefaultHookSample)}
	for _, o := range opts {
		o(&cfg)
	}
	s := &System{cfg: cfg, stop: make(chan struct{}), allDone: make(chan struct{})}
	if cfg.logger != nil {
		s.log = *cfg.logger
	} else {
		s.log = zerolog.New(os.Stderr).Level(zerolog.WarnLevel).With().Timestamp().Logger()
	}
	if h := cfg.onFailure; h != nil {
		s.cfg.onFailure = func(fl Failure) { s.callFailureHandler(h, fl) }
	}
	s.names.init()
	if cfg.introspect {
		s.obs = newObserver()
		s.counting.Store(true)
	}
	s.pool = sched.NewPool(cfg.workers, (*frame).poolTurn)
	return s
}

// Logger returns the system's logger.
func (s *System) Logger() *zerolog.Logger { return &s.log }

// Err returns nil while the system runs and [ErrClosed] from the moment
// [System.Shutdown] is called. Protocols built on the system (remote.Start) check
// it before they start. It takes the system's lock briefly.
func (s *System) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	return nil
}

// register adds f to the live list; it fails once the system is closed.
func (s *System) register(f *frame) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	f.next = s.live
	if s.live != nil {
		s.live.prev = f
	}
	s.live = f
	s.nlive++
	return nil
}

func (s *System) unregister(f *frame) {
	s.mu.Lock()
	if f.prev != nil {
		f.prev.next = f.next
	} else if s.live == f {
		s.live = f.next
	}
	if f.next != nil {
		f.next.prev = f.prev
	}
	f.prev, f.next = nil, nil
	s.nlive--
	s.ended++
	// The reactor's count is final: its last turn is the one running
	// terminate. Moving it here, under mu, is what keeps Stats.Handled
	// from going back when a reactor leaves the list it walks.
	s.handled += f.obs.Load() & handledMask
	if s.closed && s.nlive == 0 {
		close(s.allDone)
	}
	s.mu.Unlock()
}

// Shutdown stops every reactor, then the worker pool, and returns when
// everything has stopped or ctx is done.
//
// Each live reactor terminates after the handler it is running, if any,
// or at once if it is idle: no further event of its is handled, its
// queued events are dead-lettered with [ReasonShutdown], its lifecycle
// stream gets [Terminated], and its timers stop. Shutdown cannot interrupt
// a handler that never returns. [Spawn] fails with [ErrClosed] from the
// moment Shutdown is called, and [Await] calls, waiting or new, return
// ErrClosed.
//
// If ctx ends first, Shutdown returns an error wrapping ctx.Err() and the
// reactors still running go on terminating; calling Shutdown again waits
// for them. After a nil return no goroutine of the system is left.
func (s *System) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.stop)
		if s.nlive == 0 {
			close(s.allDone)
		}
	}
	var live []*frame
	for f := s.live; f != nil; f = f.next {
		live = append(live, f)
	}
	s.mu.Unlock()
	for _, f := range live {
		f.flags.Or(flagStop)
		f.notify()
	}
	if err := wait(ctx, s.allDone); err != nil {
		s.mu.Lock()
		n := s.nlive
		s.mu.Unlock()
		return fmt.Errorf("reactor: shutdown: %d reactors still running: %w", n, err)
	}
	// Every reactor has terminated, so no turn is left but the tail of the
	// last terminate: closing the idle workers is quick.
	s.loops.Wait()
	s.pool.Close()
	return nil
}

// wait blocks until ch is closed (nil) or ctx is done (ctx.Err()); a closed
// ch wins over a done ctx.
func wait(ctx context.Context, ch <-chan struct{}) error {
	select {
	case <-ch:
		return nil
	default:
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
