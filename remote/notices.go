package remote

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go"

	"github.com/reactors-go/reactors/reactor"
)

// NoticeKind says what happened to a node's transport (see [Notice]).
type NoticeKind uint8

// Kinds of notices.
const (
	// NoticeDisconnected: the connection to the NATS server was lost
	// ([Notice.Err] says why, if known). Core NATS events published until the
	// reconnection may be lost; at-least-once channels resend theirs.
	NoticeDisconnected NoticeKind = iota + 1
	// NoticeReconnected: the connection is back, to the server at [Notice.URL].
	// [Notice.Restarted] is true when the server is another instance than before
	// (a restarted server or another server of the cluster): everything
	// the previous one held in flight is gone.
	NoticeReconnected
	// NoticeClosed: the connection is closed for good ([Node.Close], or the
	// reconnection attempts ran out); it is the node's last notice.
	NoticeClosed
	// NoticeSlowConsumer: the subscription of the export or server [Notice.Name]
	// overflowed its pending limits (see [WithPendingLimits]) and the
	// connection dropped [Notice.Count] messages of it since the previous report.
	// The same loss is dead-lettered (see [Dropped]).
	NoticeSlowConsumer
	// NoticeError: another asynchronous error of the connection (a
	// permission violation, for instance), with the subscription's [Notice.Name]
	// and [Notice.Subject] when it concerns one.
	NoticeError
)

var kindNames = [...]string{"", "disconnected", "reconnected", "closed", "slow-consumer", "error"}

// String returns the kind's name ("disconnected", "slow-consumer", ...).
func (k NoticeKind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("notice(%d)", uint8(k))
}

// Notice is a failure or recovery of a node's transport, as [Node.Notices]
// delivers it. Only the fields of its Kind are set.
type Notice struct {
	Kind      NoticeKind
	Name      string // the export or server concerned (slow consumer, error)
	Subject   string // its NATS subject
	Count     int    // messages dropped (slow consumer)
	URL       string // the server reconnected to (reconnected)
	Restarted bool   // the server reconnected to is a new instance (reconnected)
	Err       error  // the cause (disconnected, slow consumer, error), if known
}

// Dropped is the event of a dead letter with reason
// [reactor.ReasonOverflow] for messages that the connection dropped before
// they reached an export: its subscription overflowed its pending limits
// (a slow consumer). The payloads themselves are gone; Count says how
// many there were.
type Dropped struct {
	Name    string // the exported name
	Subject string // its NATS subject
	Count   int    // messages dropped since the previous report
}

// DefaultNoticeBuffer is the capacity of [Node.Notices] unless
// [WithNoticeBuffer] sets another.
const DefaultNoticeBuffer = 1024

// failures is the node's state of failure reporting.
type failures struct {
	mu       sync.Mutex
	out      chan Notice   // guarded by mu for sends: nil once closed
	notices  <-chan Notice // out, as Notices returns it
	subs     map[*nats.Subscription]*watched
	serverID string        // guarded by mu: the server connected to last
	lost     atomic.Uint64 // notices not delivered for a full buffer

	resend  []chan struct{} // guarded by mu: at-least-once senders to wake on reconnect
	senders []*aloSender    // guarded by mu: the at-least-once senders, for Stats
	wg      sync.WaitGroup  // goroutines of at-least-once senders
}

// watched is an export's subscription as failure reports name it.
type watched struct {
	name     string
	sys      *reactor.System // where its dead letters go
	reported int             // messages dropped and already reported
}

func (f *failures) init(buffer int) {
	if buffer <= 0 {
		buffer = DefaultNoticeBuffer
	}
	f.out = make(chan Notice, buffer)
	f.notices = f.out
	f.subs = map[*nats.Subscription]*watched{}
}

// Notices returns the channel of the node's transport notices:
// disconnections, reconnections ([Notice.Restarted] when the server is a new
// instance), slow consumers, other asynchronous errors of the connection,
// and finally [NoticeClosed], after which the channel is closed.
//
// The channel's buffer holds [DefaultNoticeBuffer] notices unless
// [WithNoticeBuffer] sets another size. Notices are never waited for: when
// the buffer is full, a new notice is not queued but counted by
// [Node.NoticesLost], so a node nobody watches costs nothing more than the
// buffer. Every notice is also logged on the node's system (warning
// level; reconnections and the close at info level), watched or not.
// [Node.Close]'s own disconnection is not reported as [NoticeDisconnected]. The
// same channel is returned on every call; several readers share its
// notices.
func (n *Node) Notices() <-chan Notice { return n.fail.notices }

// NoticesLost returns the number of notices that [Node.Notices] did not deliver
// because its buffer was full.
func (n *Node) NoticesLost() uint64 { return n.fail.lost.Load() }

// emit logs ev and queues it on [Node.Notices] unless the buffer is full.
func (n *Node) emit(ev Notice) {
	l := n.sys.Logger().Warn()
	if ev.Kind == NoticeReconnected || ev.Kind == NoticeClosed {
		l = n.sys.Logger().Info()
	}
	l = l.Str("notice", ev.Kind.String())
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
	l.Msg("remote: transport notice")

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
	if ev.Kind == NoticeClosed {
		close(f.out)
		f.out = nil
	}
}

// connHandlers returns the connection options that report its notices.
func (n *Node) connHandlers() []nats.Option {
	return []nats.Option{
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			n.mu.Lock()
			closing := n.closing
			n.mu.Unlock()
			if !closing { // Close's own disconnection is reported as NoticeClosed alone
				n.emit(Notice{Kind: NoticeDisconnected, Err: err})
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
			n.emit(Notice{Kind: NoticeReconnected, URL: nc.ConnectedUrlRedacted(), Restarted: restarted})
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

// surface turns an asynchronous error of the connection into a notice,
// and a slow consumer's drops into a dead letter.
func (n *Node) surface(sub *nats.Subscription, err error) {
	ev := Notice{Kind: NoticeError, Err: err}
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
		ev.Kind = NoticeSlowConsumer
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
// catches up) and forgets sub. [Exported.Close] calls it.
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
		n.emit(Notice{Kind: NoticeSlowConsumer, Name: w.name, Subject: sub.Subject, Count: c, Err: nats.ErrSlowConsumer})
	}
}

// flushAllDrops reports the unreported drops of every export ([Node.Close]).
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
