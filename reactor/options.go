package reactor

import (
	"fmt"

	"github.com/rs/zerolog"
)

// Option configures a [System] ([New]).
type Option func(*sysConfig)

type sysConfig struct {
	workers    int
	budget     int
	logger     *zerolog.Logger
	onFailure  func(Failure)
	deadLetter func(DeadLetter)
	introspect bool
	hookShift  uint8 // a turn or ask is sampled when a random 32-bit draw shifted right by it is 0
}

// WithWorkers sets the number of worker goroutines of the shared pool
// (default GOMAXPROCS); n < 1 counts as 1. A worker keeps its processor
// while it has turns to run, so with as many busy workers as processors
// a plain goroutine that a turn made runnable (an asker whose reply
// came) waits for the Go runtime to preempt a worker, up to 10 ms: fewer
// workers than processors leave plain goroutines room under full load.
func WithWorkers(n int) Option { return func(c *sysConfig) { c.workers = n } }

// WithBudget sets how many events a reactor handles per turn before it
// yields its worker (default 64, at least 1).
func WithBudget(n int) Option { return func(c *sysConfig) { c.budget = max(n, 1) } }

// WithLogger sets the system's logger. The default writes warnings and
// errors to standard error; debug output is silent unless the logger's level
// allows it.
func WithLogger(l zerolog.Logger) Option { return func(c *sysConfig) { c.logger = &l } }

// WithFailureHandler sets the function told about every reactor failure
// (a panic or an unhandled error in a constructor or handler, or a panic
// in a function the runtime calls for the reactor outside its handlers:
// an [Channel.AfterTerminate] function, a stream's completion handler during
// termination). It runs on the failing reactor's goroutine (for an
// AfterTerminate function, on the goroutine that ran it), after the
// reactor's own [Died] event, and must not block. The default, also for a
// nil f, logs the failure at error level.
//
// A panic in f goes no further: it is logged at error level with the
// system's logger, with the failure f was told about, and the system runs
// on (f is not called again for its own panic).
func WithFailureHandler(f func(Failure)) Option { return func(c *sysConfig) { c.onFailure = f } }

// WithDeadLetterHandler sets a function called with every dead letter, on
// the goroutine that produced it (a sender, or the reactor that dropped
// it). It must be fast and must not block or send to the channel that
// dead-lettered. Dead letters are counted ([Stats]) and logged, rate-limited,
// whether or not a handler is set. A panic in f is logged at error level
// (rate-limited) with the system's logger and goes no further: the send
// or the reactor that produced the dead letter carries on.
func WithDeadLetterHandler(f func(DeadLetter)) Option {
	return func(c *sysConfig) { c.deadLetter = f }
}

// SpawnOption configures a reactor ([Spawn], [Run]).
type SpawnOption func(*spawnConfig)

type spawnConfig struct {
	name    string
	named   bool
	sched   Scheduler
	main    []ConnOption
	restart *RestartPolicy
	err     error // the first invalid option (ErrInvalidOption)
}

// WithName gives the reactor a name, unique among the system's live
// reactors, and registers its named channels as "name#channel" (see [Get] and
// [Await]). Unnamed reactors are called "reactor-<id>" and are not registered.
func WithName(name string) SpawnOption {
	return func(c *spawnConfig) { c.name, c.named = name, true }
}

// WithScheduler chooses how the reactor's turns run (default [SharedPool]).
// A value other than SharedPool and [Dedicated] makes [Spawn] and [Run] fail
// with [ErrInvalidOption].
func WithScheduler(s Scheduler) SpawnOption {
	return func(c *spawnConfig) {
		if s > Dedicated {
			c.fail(fmt.Errorf("reactor: WithScheduler(%d): %w", s, ErrInvalidOption))
		}
		c.sched = s
	}
}

// WithMain configures the main connector: its name (default "main") and
// its mailbox.
func WithMain(opts ...ConnOption) SpawnOption {
	return func(c *spawnConfig) { c.main = append(c.main, opts...) }
}

// WithRestart restarts the reactor when it fails, as the policy allows.
// A policy with a negative field makes [Spawn] and [Run] fail with
// [ErrInvalidOption].
func WithRestart(p RestartPolicy) SpawnOption {
	return func(c *spawnConfig) {
		if p.MaxRestarts < 0 || p.Window < 0 || p.Backoff < 0 || p.MaxBackoff < 0 {
			c.fail(fmt.Errorf("reactor: WithRestart(%+v): negative field: %w", p, ErrInvalidOption))
		}
		c.restart = &p
	}
}

// fail records the first invalid option.
func (c *spawnConfig) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

func spawnOptions(opts []SpawnOption) spawnConfig {
	var cfg spawnConfig
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

// ConnOption configures a connector ([Open], [WithMain]).
type ConnOption func(*connConfig)

type connConfig struct {
	name   string
	daemon bool
	bound  int
	policy Overflow
	err    error // the first invalid option (ErrInvalidOption)
}

// Named names the connector; with a named reactor, it is registered as
// "reactor#name". Names are unique per reactor.
func Named(name string) ConnOption { return func(c *connConfig) { c.name = name } }

// Daemon makes the connector a daemon: it does not keep its reactor alive.
// A reactor terminates when all its non-daemon connectors are sealed.
func Daemon() ConnOption { return func(c *connConfig) { c.daemon = true } }

// Bounded gives the connector a mailbox of at most n queued events and
// the policy for a send that finds it full. The mailbox allocates its n
// slots at once. Unbounded mailboxes (the default) never refuse a send.
//
// n must be at least 1 and policy one of [DropNewest], [DropOldest], [Fail]
// and [Block]; otherwise [Spawn], [Run] and [Open] fail with
// [ErrInvalidOption] and open nothing.
func Bounded(n int, policy Overflow) ConnOption {
	return func(c *connConfig) {
		if (n < 1 || policy > Block) && c.err == nil {
			c.err = fmt.Errorf("reactor: Bounded(%d, %v): %w", n, policy, ErrInvalidOption)
		}
		c.bound, c.policy = max(n, 1), policy
	}
}

func connOptions(cfg connConfig, opts []ConnOption) connConfig {
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}
