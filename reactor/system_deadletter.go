package reactor

import (
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// DeadLetterCount returns the number of dead letters so far, over all
// reasons.
func (s *System) DeadLetterCount() uint64 {
	var n uint64
	for r := range numReasons {
		n += s.dead[r].Load()
	}
	return n
}

// DeadLetter reports an event that could not be delivered, as the runtime
// does for its own: an [Undeliverable] event is told first, then it is
// counted, handed to the dead-letter handler and the [DeadLetters]
// streams, and logged (rate-limited). Protocols built on the runtime
// (routers, remote channels) call it with their reason, such as
// [ReasonNoRoute] or [ReasonUndecodable]. Safe for concurrent use. A
// [Reason] that is none of the constants panics.
func (s *System) DeadLetter(channel string, r Reason, event any) {
	if r >= numReasons {
		panic(fmt.Sprintf("reactor: DeadLetter with an unknown reason %d", uint8(r)))
	}
	s.deadLetter(channel, r, event)
}

func (s *System) deadLetter(channel string, r Reason, event any) {
	if u, ok := event.(Undeliverable); ok {
		u.Undelivered(channel, r)
	}
	s.dead[r].Add(1)
	if o := s.obs; o != nil {
		o.recordDead(channel, r, event)
	}
	if h := s.cfg.deadLetter; h != nil {
		s.callDeadLetterHandler(h, DeadLetter{Channel: channel, Reason: r, Event: event})
	}
	if w := s.deadWatch.Load(); w != nil {
		for _, ch := range *w {
			_ = ch.Send(DeadLetter{Channel: channel, Reason: r, Event: event})
		}
	}
	if n, ok := s.logGate.allow(); ok {
		s.log.Warn().Str("channel", channel).Stringer("reason", r).Uint64("suppressed", n).Msg("dead letter")
	}
}

// callDeadLetterHandler calls the dead-letter handler h with d; a panic
// in h is logged (rate-limited, as dead letters are) and goes no further.
func (s *System) callDeadLetterHandler(h func(DeadLetter), d DeadLetter) {
	defer func() {
		if v := recover(); v != nil {
			if n, ok := s.panicGate.allow(); ok {
				s.log.Error().Str("channel", d.Channel).Stringer("reason", d.Reason).Uint64("suppressed", n).
					Str("panic", fmt.Sprint(v)).Bytes("stack", debug.Stack()).Msg("dead-letter handler panicked")
			}
		}
	}()
	h(d)
}

// watchDeadLetters adds or removes a dead-letter watcher. The list is
// copied on write so that reporting a dead letter takes no lock.
func (s *System) watchDeadLetters(ch Channel[DeadLetter], add bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var old []Channel[DeadLetter]
	if p := s.deadWatch.Load(); p != nil {
		old = *p
	}
	next := make([]Channel[DeadLetter], 0, len(old)+1)
	for _, c := range old {
		if c != ch {
			next = append(next, c)
		}
	}
	if add {
		next = append(next, ch)
	}
	s.deadWatch.Store(&next)
}

// rateGate lets one log line through per second and counts the rest.
type rateGate struct {
	next       atomic.Int64 // unix nanoseconds before which lines are suppressed
	suppressed atomic.Uint64
}

func (g *rateGate) allow() (uint64, bool) {
	now := time.Now().UnixNano()
	n := g.next.Load()
	if now < n || !g.next.CompareAndSwap(n, now+int64(time.Second)) {
		g.suppressed.Add(1)
		return 0, false
	}
	return g.suppressed.Swap(0), true
}
