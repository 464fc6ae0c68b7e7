package reactor

import (
	"iter"
	"sync/atomic"
	"time"
)

// ReactorInfo describes a live reactor, as [System.Reactors] reads it.
//
// Handled is counted once per turn, after the turn's handlers return: a
// turn whose handler fails leaves uncounted the event that failed and
// those the same connector delivered before it in that turn. A step run
// by [Channel.RunIfIdle] (a dht operation on an idle shard, run by its
// caller) counts as one event. It is
// counted only while somebody observes the system: from its start with
// [WithIntrospection], or from the first [System.AddHooks] (package
// metrics); otherwise it stays 0, and a turn pays a load and a branch.
type ReactorInfo struct {
	ID        uint64
	Name      string    // WithName's name, or "reactor-<id>"
	Scheduler string    // "pool", "dedicated" or "caller"
	State     string    // "idle", "scheduled", "backoff", "draining", "stopping" or "terminated"
	Handled   uint64    // events its handlers were given, but for those of turns that failed (see below)
	Restarts  int       // restarts under its restart policy
	Started   time.Time // when it was spawned, to the second; zero without WithIntrospection
	Depth     int       // events waiting in all its mailboxes

	// Connectors lists the main connector and, with [WithIntrospection],
	// every other open one. The slice is reused from one reactor to the
	// next: copy it to keep it.
	Connectors []ConnectorInfo
}

// ConnectorInfo describes one connector of a reactor.
type ConnectorInfo struct {
	Name   string // "" for an unnamed connector other than main
	Len    int    // events waiting in its mailbox (see Channel.Len)
	Daemon bool
	Closed bool // sealed, or its reactor terminated
}

// connView is what introspection may read of a connector from any
// goroutine: fields fixed when the connector was opened, and atomics.
type connView struct {
	name   string
	daemon bool
	mb     interface{ Len() int } // the unbounded or the bounded mailbox
	closed *atomic.Uint32
}

func (v connView) info() ConnectorInfo {
	return ConnectorInfo{Name: v.name, Len: v.mb.Len(), Daemon: v.daemon, Closed: gone(v.closed.Load())}
}

// view returns c's connView. The owner calls it, or anyone for a main
// connector (whose extra part is fixed at spawn).
func (c *Connector[T]) view() connView {
	v := connView{name: c.Name(), daemon: c.daemon, closed: &c.closed, mb: &c.q}
	if r := c.ring(); r != nil {
		v.mb = r
	}
	return v
}

// publishConns copies the reactor's list of opened connectors for
// introspection. Owner only; it does nothing without [WithIntrospection].
func (f *frame) publishConns(x *extra) {
	if f.sys.obs == nil {
		return
	}
	vs := make([]connView, len(x.conns))
	for i, p := range x.conns {
		vs[i] = p.view()
	}
	x.view.Store(&vs)
}

// Reactors returns the live reactors, in no particular order. It copies
// the list of live reactors under the system's lock (a pointer each) and
// reads each reactor when the loop reaches it, so a reactor that
// terminates meanwhile is reported "terminated". Its counters are read
// one by one while it runs: an approximate picture, not a snapshot.
// Safe for concurrent use; reading a reactor allocates nothing.
func (s *System) Reactors() iter.Seq[ReactorInfo] {
	return func(yield func(ReactorInfo) bool) {
		s.mu.Lock()
		frames := make([]*frame, 0, s.nlive)
		for f := s.live; f != nil; f = f.next {
			frames = append(frames, f)
		}
		s.mu.Unlock()
		var conns []ConnectorInfo
		for _, f := range frames {
			info := f.info(s.obs, conns[:0])
			conns = info.Connectors
			if !yield(info) {
				return
			}
		}
	}
}

// info reads f for [System.Reactors], appending its connectors to conns.
func (f *frame) info(o *observer, conns []ConnectorInfo) ReactorInfo {
	w := f.obs.Load()
	info := ReactorInfo{ID: f.id, Name: f.name(), Scheduler: "pool", Handled: w & handledMask}
	if l := f.ownLoop(); l != nil {
		info.Scheduler = "dedicated"
		if l.OnCaller() {
			info.Scheduler = "caller"
		}
	}
	if born := w >> handledBits; born > 0 && o != nil {
		info.Started = o.start.Add(time.Duration(born-1) * time.Second)
	}
	st, fl := f.state.Load(), f.flags.Load()
	switch {
	case st&stDead != 0 || fl&flagEnded != 0:
		info.State = "terminated"
	case fl&flagsHalting != 0:
		info.State = "stopping"
	case fl&flagBackoff != 0:
		info.State = "backoff"
	case fl&flagDrain != 0:
		info.State = "draining"
	case st == stIdle:
		info.State = "idle"
	default:
		info.State = "scheduled"
	}
	conns = append(conns, f.typed().view().info())
	x := f.x.Load()
	if x != nil {
		x.mu.Lock()
		info.Restarts = x.restarts
		x.mu.Unlock()
		if vs := x.view.Load(); vs != nil {
			for _, v := range *vs {
				conns = append(conns, v.info())
			}
		}
	}
	for _, c := range conns {
		info.Depth += c.Len
	}
	info.Connectors = conns
	return info
}
