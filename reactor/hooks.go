package reactor

import (
	"fmt"
	"math/bits"
	"runtime/debug"
	"slices"
	"time"

	"github.com/reactors-go/reactors/internal/owner"
)

// DefaultHookSample is how many turns, and how many asks, one call of a
// sampling hook (Hooks.Turn, Hooks.Ask) stands for, on average, unless
// WithHookSample says otherwise.
const DefaultHookSample = 64

// WithHookSample makes the system report about one turn in n to the
// Hooks.Turn functions, and one ask in n to the Hooks.Ask functions,
// instead of one in DefaultHookSample. n is rounded up to a power of two
// (at most 1<<30); n <= 1 reports every turn and every ask, which costs
// two clock reads per turn while a Turn hook is registered.
func WithHookSample(n int) Option {
	return func(c *sysConfig) { c.hookShift = hookShift(n) }
}

// hookShift is the hookShift of a hook sample of n (see sampled).
func hookShift(n int) uint8 {
	n = min(max(n, 1), 1<<30)
	return uint8(32 - bits.Len32(uint32(n-1)))
}

// Hooks are functions the runtime calls as it works, for metrics (see
// package metrics): how long turns and asks take, which the counters of
// Stats do not tell. Register them with System.AddHooks; a nil field is
// not called.
//
// The functions run on the goroutine that ran the turn or made the ask,
// after it and outside any reactor, possibly on several goroutines at
// once. They must be quick and must not block: a Turn function delays
// the next turn of its worker. A panic in one is logged (rate-limited)
// and goes no further.
type Hooks struct {
	// Turn gets the duration of a sampled turn and the number of events
	// its handlers were given (those of a turn that failed are not
	// counted). Each turn is sampled at random, with a probability of
	// one in the system's hook sample (WithHookSample).
	Turn func(d time.Duration, events int)

	// Ask gets the duration of a sampled ask, from before its send to
	// its return, whatever its outcome (a reply, an error, an expiry).
	// Each ask is sampled as a turn is. Request/reply protocols report
	// their asks through the system's AskProbe; server.Ask does so for
	// the asks it sends through a channel of the system: a reactor's, or
	// a forwarding one whose Channel.System names it (a router's, a
	// path's), not a remote one.
	Ask func(d time.Duration)

	// AskExpired is called for every such ask that stopped waiting
	// because its context ended before the reply came; the reply, if it
	// comes, is dead-lettered with ReasonExpired.
	AskExpired func()
}

// AddHooks registers h and returns a function that removes it (a second
// call of which does nothing). Every registered hook is called, in the
// order of registration. A hook registered while a turn or an ask is
// under way may miss it, and one removed may still be called for a turn
// or an ask that started before the removal returned. Safe for
// concurrent use; registering and removing copy the list of hooks.
//
// Cost: while no Turn hook is registered, a turn pays one atomic load
// and a branch for them, and so does an ask for the Ask and AskExpired
// hooks. With one, each turn (ask) also draws a random number, and a
// sampled one reads the clock twice and calls the hooks.
func (s *System) AddHooks(h Hooks) (remove func()) {
	p := &h
	s.counting.Store(true) // from now on: Stats.Handled feeds the metrics
	s.hookMu.Lock()
	s.hookList = append(s.hookList, p)
	s.rebuildHooksLocked()
	s.hookMu.Unlock()
	return func() {
		s.hookMu.Lock()
		defer s.hookMu.Unlock()
		if i := slices.Index(s.hookList, p); i >= 0 {
			s.hookList = slices.Delete(s.hookList, i, i+1)
			s.rebuildHooksLocked()
		}
	}
}

// rebuildHooksLocked publishes the registered hooks where turns and asks
// read them: nil where there is none of a kind, so that the hot paths
// pay a load and a branch. s.hookMu must be held.
func (s *System) rebuildHooksLocked() {
	var turns []func(time.Duration, int)
	p := &AskProbe{sys: s}
	for _, h := range s.hookList {
		if h.Turn != nil {
			turns = append(turns, h.Turn)
		}
		if h.Ask != nil {
			p.ask = append(p.ask, h.Ask)
		}
		if h.AskExpired != nil {
			p.expired = append(p.expired, h.AskExpired)
		}
	}
	if len(turns) == 0 {
		s.turnHooks.Store(nil)
	} else {
		s.turnHooks.Store(&turns)
	}
	if len(p.ask) == 0 && len(p.expired) == 0 {
		p = nil
	}
	s.asks.Store(p)
}

// sampled reports whether to report the turn or ask for which draw was
// drawn (32 random bits): true with a probability of one in the hook
// sample. It tests the high bits, the best ones of a xorshift draw.
func (s *System) sampled(draw uint32) bool { return draw>>s.cfg.hookShift == 0 }

// timedTurn is turnAs for a turn sampled for the Turn hooks: it times
// the turn, counts the events its handlers were given, and calls the
// hooks once the slot no longer names the reactor.
func (f *frame) timedTurn(s *owner.Slot, budget int, hooks []func(time.Duration, int)) bool {
	before := f.obs.Load()
	start := time.Now()
	s.Set(f.id)
	again := f.turnOf(budget)
	s.Set(0)
	d := time.Since(start)
	// Only the owner writes the count, and the start-second bits above
	// it do not change: the masked difference is the turn's events.
	n := int((f.obs.Load() - before) & handledMask)
	for _, fn := range hooks {
		f.sys.callHook(func() { fn(d, n) })
	}
	return again
}

// callHook calls a hook; a panic in it is logged (rate-limited) and goes
// no further.
func (s *System) callHook(fn func()) {
	defer func() {
		if v := recover(); v != nil {
			if n, ok := s.hookGate.allow(); ok {
				s.log.Error().Uint64("suppressed", n).Str("panic", fmt.Sprint(v)).
					Bytes("stack", debug.Stack()).Msg("reactor hook panicked")
			}
		}
	}()
	fn()
}
