package reactor

import (
	"math/rand/v2"
	"time"
)

// AskProbe is how a request/reply protocol reports its asks to the
// system's Ask and AskExpired hooks (see Hooks): it calls Start before
// sending a request and End when the ask returns. server.Ask does so.
//
// A probe is a snapshot of the hooks registered when AskProbe returned
// it. Safe for concurrent use.
type AskProbe struct {
	sys     *System
	ask     []func(time.Duration)
	expired []func()
}

// AskProbe returns the system's probe for asks, or nil when no Ask or
// AskExpired hook is registered: one atomic load, so that an ask costs
// nothing more while nobody observes asks.
func (s *System) AskProbe() *AskProbe { return s.asks.Load() }

// Start begins an ask: it returns the time now if the ask is sampled for
// the Ask hooks (about one in the hook sample, see WithHookSample), else
// the zero Time. Cost: a random draw, and a clock read when sampled.
func (p *AskProbe) Start() time.Time {
	if len(p.ask) == 0 || !p.sys.sampled(rand.Uint32()) {
		return time.Time{}
	}
	return time.Now()
}

// End ends an ask that Start began at start: it calls the AskExpired
// hooks if expired (the ask stopped waiting because its context ended
// before the reply came), then, if the ask was sampled (start is not
// zero), the Ask hooks with its duration.
func (p *AskProbe) End(start time.Time, expired bool) {
	if expired {
		for _, fn := range p.expired {
			p.sys.callHook(fn)
		}
	}
	if start.IsZero() {
		return
	}
	d := time.Since(start)
	for _, fn := range p.ask {
		p.sys.callHook(func() { fn(d) })
	}
}
