package remote

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go"

	"github.com/reactors-go/reactors/reactor"
)

// EventKind says what happened to a node's transport (see Event).
type EventKind uint8

// Kinds of node events.
const (
	// EventDisconnected: the connection to the NATS server was lost (Err
	// says why, if known). Core NATS events published until the
	// reconnection may be lost; at-least-once channels resend theirs.
	EventDisconnected EventKind = iota + 1
	// EventReconnected: the connection is back, to the server at URL.
	// Restarted is true when the server is another instance than before
	// (a restarted server or another server of the cluster): everything
	// the previous one held in flight is gone.
	EventReconnected
	// EventClosed: the connection is closed for good (Close, or the
	// reconnection attempts ran out); it is the node's last event.
	EventClosed
	// EventSlowConsumer: the subscription of the export or server Name
	// overflowed its pending limits (see WithPendingLimits) and the
	// connection dropped Count messages of it since the previous report.
	// The same loss is dead-lettered (see Dropped).
	EventSlowConsumer
	// EventError: another asynchronous error of the connection (a
	// permission violation, for instance), with the subscription's Name
	// and Subject when it concerns one.
	EventError
)

var kindNames = [...]string{"", "disconnected", "reconnected", "closed", "slow-consumer", "error"}

// String returns the kind's name ("disconnected", "slow-consumer", ...).
func (k EventKind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("event(%d)", uint8(k))
}

// Event is a failure or recovery of a node's transport, as Node.Events
// delivers it. Only the fields of its Kind are set.
type Event struct {
	Kind      EventKind
	Name      string // the export or server concerned (slow consumer, error)
	Subject   string // its NATS subject
	Count     int    // messages dropped (slow consumer)
	URL       string // the server reconnected to (reconnected)
	Restarted bool   // the server reconnected to is a new instance (reconnected)
	Err       error  // the cause (disconnected, slow consumer, error), if known
}

// Dropped is the event of a dead letter with reason
// reactor.ReasonOverflow for messages that the connection dropped before
// they reached an export: its subscription overflowed its pending limits
// (a slow consumer). The payloads themselves are gone; Count says how
// many there were.
type Dropped struct {
	Name    string // the exported name
	Subject string // its NATS subject
	Count   int    // messages dropped since the previous report
}

// DefaultEventBuffer is the capacity of Node.Events unless
// WithEventBuffer sets another.
const DefaultEventBuffer = 1024

// failures is the node's state of failure reporting.
type failures struct {
	mu       sync.Mutex
	out      chan Event   // guarded by mu for sends: nil once closed
	events   <-chan Event // out, as Events returns it
	subs     map[*nats.Subscription]*watched
	serverID string        // guarded by mu: the server connected to last
	lost     atomic.Uint64 // events not delivered for a full buffer

	resend []chan struct{} // guarded by mu: at-least-once senders to wake on reconnect
	wg     sync.WaitGroup  // goroutines of at-least-once senders
}

// watched is an export's subscription as failure reports name it.
type watched struct {
	name     string
	sys      *reactor.System // where its dead letters go
	reported int             // messages dropped and already reported
}

func (f *failures) init(buffer int) {
	if buffer <= 0 {
		buffer = DefaultEventBuffer
	}
	f.out = make(chan Event, buffer)
	f.events = f.out
	f.subs = map[*nats.Subscription]*watched{}
}

// Events returns the node's stream of transport events: disconnections,
// reconnections (Restarted when the server is a new instance), slow
// consumers, other asynchronous errors of the connection, and finally
// EventClosed, after which the channel is closed.
//
// The channel's buffer holds DefaultEventBuffer events unless
// WithEventBuffer sets another size. Events are never waited for: when the
// buffer is full, a new event is not queued but counted by EventsLost, so
// a node nobody watches costs nothing more than the buffer. Every event is
// also logged on the node's system (warning level; reconnections and
// the close at info level), watched or not. Close's own disconnection
// is not reported as EventDisconnected. The
// same channel is returned on every call; several readers share its
// events.
func (n *Node) Events() <-chan Event { return n.fail.events }

// EventsLost returns the number of events that Events did not deliver
// because its buffer was full.
func (n *Node) EventsLost() uint64 { return n.fail.lost.Load() }

// emit logs ev and queues it on Events unless the buffer is full.
func (n *Node) emit(ev Event) {
	l := n.sys.Logger().Warn()
	if ev.Kind == EventReconnected || ev.Kind == EventClosed {
		l = n.sys.Logger().Info()
	}
	l = l.Str("event", ev.Kind.String())
	if ev.Name != "" {
		l = l.Str("name", ev.Name)
	}
	if ev.Subject != "" {
		l = l.Str("subject", ev.Subject)
	}
	if ev.Count != 0 {
		l = l.Int("dropped", ev.Count)
	}
	if ev.URL != "" {
		l = l.Str("url", ev.URL).Bool("restarted", ev.Restarted)
	}
	if ev.Err != nil {
		l = l.Err(ev.Err)
	}
	l.Msg("remote: transport event")

	f := &n.fail
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.out == nil {
		return
	}
	select {
	case f.out <- ev:
	default:
		f.lost.Add(1)
	}
	if ev.Kind == EventClosed {
		close(f.out)
		f.out = nil
	}
}

// connHandlers returns the connection options that report its events.
func (n *Node) connHandlers() []nats.Option {
	return []nats.Option{
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			n.mu.Lock()
			closing := n.closing
			n.mu.Unlock()
			if !closing { // Close's own disconnection is reported as EventClosed alone
				n.emit(Event{Kind: EventDisconnected, Err: err})
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			id := nc.ConnectedServerId()
			f := &n.fail
			f.mu.Lock()
			restarted := f.serverID != "" && id != f.serverID
			f.serverID = id
			for _, c := range f.resend {
				select {
				case c <- struct{}{}:
				default:
				}
			}
			f.mu.Unlock()
			n.emit(Event{Kind: EventReconnected, URL: nc.ConnectedUrlRedacted(), Restarted: restarted})
		}),
	}
}

// connected records the server of the first connection.
func (n *Node) connected() {
	n.fail.mu.Lock()
	n.fail.serverID = n.nc.ConnectedServerId()
	n.fail.mu.Unlock()
}

// watch names sub in failure reports (until flushDrops).
func (n *Node) watch(sub *nats.Subscription, name string, sys *reactor.System) {
	n.fail.mu.Lock()
	n.fail.subs[sub] = &watched{name: name, sys: sys}
	n.fail.mu.Unlock()
}

// surface turns an asynchronous error of the connection into an event,
// and a slow consumer's drops into a dead letter.
func (n *Node) surface(sub *nats.Subscription, err error) {
	ev := Event{Kind: EventError, Err: err}
	var w *watched
	if sub != nil {
		ev.Subject = sub.Subject
		n.fail.mu.Lock()
		w = n.fail.subs[sub]
		if w != nil {
			ev.Name = w.name
		}
		n.fail.mu.Unlock()
	}
	if errors.Is(err, nats.ErrSlowConsumer) {
		ev.Kind = EventSlowConsumer
		if sub != nil {
			ev.Count = n.newDrops(sub, w)
		}
		if ev.Count > 0 && w != nil {
			w.sys.DeadLetter("remote:"+w.name, reactor.ReasonOverflow, Dropped{Name: w.name, Subject: ev.Subject, Count: ev.Count})
		}
	}
	n.emit(ev)
}

// newDrops returns how many messages sub dropped since the last report,
// and records them as reported.
func (n *Node) newDrops(sub *nats.Subscription, w *watched) int {
	total, err := sub.Dropped()
	if err != nil {
		return 0
	}
	n.fail.mu.Lock()
	defer n.fail.mu.Unlock()
	if w == nil {
		return total
	}
	c := total - w.reported
	w.reported = total
	return c
}

// flushDrops reports the drops of sub that no slow-consumer report
// covered yet (the connection reports a slow consumer once until it
// catches up) and forgets sub. Export's Close calls it.
func (n *Node) flushDrops(sub *nats.Subscription) {
	n.fail.mu.Lock()
	w := n.fail.subs[sub]
	delete(n.fail.subs, sub)
	n.fail.mu.Unlock()
	if w == nil {
		return
	}
	if c := n.newDrops(sub, w); c > 0 {
		w.sys.DeadLetter("remote:"+w.name, reactor.ReasonOverflow, Dropped{Name: w.name, Subject: sub.Subject, Count: c})
		n.emit(Event{Kind: EventSlowConsumer, Name: w.name, Subject: sub.Subject, Count: c, Err: nats.ErrSlowConsumer})
	}
}

// flushAllDrops reports the unreported drops of every export (Close).
func (n *Node) flushAllDrops() {
	n.fail.mu.Lock()
	subs := make([]*nats.Subscription, 0, len(n.fail.subs))
	for sub := range n.fail.subs {
		subs = append(subs, sub)
	}
	n.fail.mu.Unlock()
	for _, sub := range subs {
		n.flushDrops(sub)
	}
}
