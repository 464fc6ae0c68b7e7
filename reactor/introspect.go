package reactor

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/reactors-go/reactors/internal/owner"
	"github.com/reactors-go/reactors/internal/relaxed"
)

// WithIntrospection turns on the bookkeeping that [System.Reactors],
// [System.Flows] and [System.RecentDeadLetters] need beyond the counters
// the runtime always keeps: each reactor's start time and connectors, the
// last [RecentDeadLetterCount] dead letters, and a sample of which
// reactor sends to which (one send in [FlowSample]).
//
// Cost with it on: a clock read per spawn, a count per turn (a plain
// store), a lock and a map update per sampled send, a copy of the
// connector list when a reactor opens or loses a connector, and a record
// per dead letter. Picking the sampled sends costs a multiplication per
// send (a random draw per send to a bounded mailbox), whether or not it
// is on.
// Without it those methods report less (see each), and nothing of this
// runs.
func WithIntrospection() Option { return func(c *sysConfig) { c.introspect = true } }

// Introspection reports whether the system was built with
// [WithIntrospection].
func (s *System) Introspection() bool { return s.obs != nil }

// FlowSample is how many sends one sampled send of [System.Flows] stands
// for, on average.
const FlowSample = 64

// flowBits is log2 of FlowSample; the constant below fails to compile
// unless FlowSample == 1<<flowBits.
const flowBits = 6

const _ = uint(FlowSample-1<<flowBits) + uint(1<<flowBits-FlowSample)

// RecentDeadLetterCount is how many dead letters [System.RecentDeadLetters]
// keeps.
const RecentDeadLetterCount = 64

// observer holds what [WithIntrospection] records.
type observer struct {
	start time.Time

	mu    sync.Mutex
	flows map[flowKey]uint64 // guarded by mu: sampled sends per pair

	deadMu sync.Mutex
	recent [RecentDeadLetterCount]DeadLetterRecord // guarded by deadMu: a ring
	nDead  uint64                                  // guarded by deadMu: records written
}

type flowKey struct{ from, to uint64 }

func newObserver() *observer {
	return &observer{start: time.Now(), flows: map[flowKey]uint64{}}
}

// samplePush reports whether the event pushed at position pos of a
// mailbox is one of the sampled sends of the flow map: about one in
// [FlowSample]. It takes the top bits of pos times 2⁶⁴/φ (Fibonacci
// hashing), which are equidistributed over any arithmetic progression of
// positions, so that senders taking turns in a fixed pattern are sampled
// in proportion to their sends; a modulo would always pick the same one.
// A multiplication instead of a random draw per send.
//
// A mailbox's positions start over when it releases its memory (going
// idle), so senders pass the position plus the reactor's obs word, whose
// count of handled events goes on rising while the system counts: their
// sum keeps rising across releases (a reactor that got one event per
// idle spell would otherwise be sampled at every send).
func samplePush(pos uint64) bool {
	return (pos*0x9e3779b97f4a7c15)>>(64-flowBits) == 0
}

// sampleHanded is samplePush for an event handed over without the
// mailbox (the first event of an idle reactor): it counts such events
// down from a random start in [1, 2*FlowSample-1] and reports true at
// the end of each count, so that one in [FlowSample] is sampled on
// average and no fixed pattern of senders aliases with the count. The
// caller holds the scheduling right, which guards f.handed.
func (f *frame) sampleHanded() bool {
	if f.handed > 1 {
		f.handed--
		return false
	}
	f.handed = uint8(1 + rand.Uint32()%(2*FlowSample-1))
	return true
}

// sampleSend calls flow for one call in [FlowSample], drawn at random:
// for sends that have no count to sample by (bounded mailboxes).
func (o *observer) sampleSend(to uint64) {
	if rand.Uint32()%FlowSample == 0 {
		o.flow(to)
	}
}

// flow records a sampled send: the reactor running on the calling
// goroutine (0 for a plain goroutine) sent to the reactor to.
func (o *observer) flow(to uint64) {
	from := owner.Current()
	if from == to {
		return
	}
	o.mu.Lock()
	o.flows[flowKey{from, to}]++
	o.mu.Unlock()
}

// recordDead keeps a dead letter in the ring of recent ones.
func (o *observer) recordDead(channel string, r Reason, event any) {
	rec := DeadLetterRecord{Time: time.Now(), Channel: channel, Reason: r, Type: fmt.Sprintf("%T", event)}
	o.deadMu.Lock()
	o.recent[o.nDead%RecentDeadLetterCount] = rec
	o.nDead++
	o.deadMu.Unlock()
}

// bornAt packs the start time of a reactor into the high bits of its
// counter word (see frame.obs): whole seconds since the observer
// started, plus one, so that 0 means unknown.
func (o *observer) bornAt(now time.Time) uint64 {
	sec := uint64(max(now.Sub(o.start), 0) / time.Second)
	return min(sec+1, bornMax) << handledBits
}

// A frame's obs word: the low handledBits count the events its turns
// handled; the bits above hold its start second (see bornAt).
const (
	handledBits = 40
	handledMask = 1<<handledBits - 1
	bornMax     = 1<<(64-handledBits) - 1
)

// countHandled adds n events to the reactor's count while the system
// counts (introspection or hooks: see System.counting). Owner only: a
// load and a relaxed store (no fence), so counting costs a turn about
// what the check costs a system nobody observes.
func (f *frame) countHandled(n int) {
	if n > 0 && f.sys.counting.Load() {
		w := f.obs.Load()
		relaxed.StoreUint64(&f.obs, w&^handledMask|(w+uint64(n))&handledMask)
	}
}

// DeadLetterRecord is a dead letter as [System.RecentDeadLetters] keeps
// it: the event itself is not kept, only its type.
type DeadLetterRecord struct {
	Time    time.Time
	Channel string // "reactor#channel" of the target
	Reason  Reason
	Type    string // the event's Go type, as fmt's %T prints it
}

// RecentDeadLetters returns the last [RecentDeadLetterCount] dead letters,
// newest first, and how many dead letters the system has recorded in all.
// Without [WithIntrospection] it returns nothing. Safe for concurrent
// use.
func (s *System) RecentDeadLetters() (recent []DeadLetterRecord, total uint64) {
	o := s.obs
	if o == nil {
		return nil, 0
	}
	o.deadMu.Lock()
	defer o.deadMu.Unlock()
	n := min(o.nDead, RecentDeadLetterCount)
	recent = make([]DeadLetterRecord, 0, n)
	for i := range n {
		recent = append(recent, o.recent[(o.nDead-1-i)%RecentDeadLetterCount])
	}
	return recent, o.nDead
}

// Flow is a sampled count of the events one reactor sent another (see
// [System.Flows]).
type Flow struct {
	From     uint64 // the sending reactor's id; 0: plain goroutines
	To       uint64 // the receiving reactor's id
	FromName string // "" for plain goroutines
	ToName   string
	Sampled  uint64 // sampled sends; each stands for about FlowSample sends
}

// Flows returns the sampled sends between live reactors, and from plain
// goroutines to them, since the system started: which reactor talks to
// which, and about how much (multiply [Flow.Sampled] by [FlowSample]). Sends of
// a reactor to itself are not counted; pairs with an end that has
// terminated are dropped. Without [WithIntrospection] it returns
// nothing. Safe for concurrent use; it holds the system's lock while it
// looks up the names of the live reactors.
func (s *System) Flows() []Flow {
	o := s.obs
	if o == nil {
		return nil
	}
	o.mu.Lock()
	pairs := make(map[flowKey]uint64, len(o.flows))
	for k, n := range o.flows {
		pairs[k] = n
	}
	o.mu.Unlock()

	names := map[uint64]string{}
	s.mu.Lock()
	for f := s.live; f != nil; f = f.next {
		names[f.id] = f.name()
	}
	s.mu.Unlock()

	out := make([]Flow, 0, len(pairs))
	var gone []flowKey
	for k, n := range pairs {
		to, ok := names[k.to]
		from, fromOK := names[k.from]
		if !ok || (k.from != 0 && !fromOK) {
			gone = append(gone, k)
			continue
		}
		out = append(out, Flow{From: k.from, To: k.to, FromName: from, ToName: to, Sampled: n})
	}
	if len(gone) > 0 {
		o.mu.Lock()
		for _, k := range gone {
			delete(o.flows, k)
		}
		o.mu.Unlock()
	}
	return out
}
