package router

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/reactors-go/reactors/reactor"
)

// Message-kind routing, after kino: a sender names what it sends (a Kind:
// a message contract and its version), not who receives it, and the event
// goes to whichever channel registered as a handler of that kind. Redundant
// handlers of one kind share its events by the kind's policy (round-robin
// unless set otherwise); PostAll gives one copy to each of them.
//
// Design notes.
//
//   - A Kind is typed (Kind[T]), so posting a value of the wrong type to a
//     kind fails the build. The registry keys kinds by name and version
//     only, and remembers the Go type each was first registered with: two
//     Kind values that share a name and version but not a type are a
//     configuration error (ErrKindType), not two silent routes.
//   - Each kind is served by an ordinary Router. Kinds holds an immutable
//     map from kind name to the routes of its versions, replaced whole
//     (copy-on-write, writers serialized by Kinds.mu) when a kind is first
//     used, so a post takes no lock: one atomic load, one map look-up, a
//     scan of the name's versions (usually one), one type assertion, then
//     the router's own send. The map is keyed by the name alone because
//     string-keyed maps take the runtime's fast path: a struct key of name
//     and version made each post about 8ns slower.
//   - Entries are never removed, not even when the last handler goes: a
//     channel from KindChannel is the kind's router channel and must go on
//     working when handlers come back. A post to a kind nobody ever
//     handled creates nothing.
//   - The policy sits behind an atomic pointer (kindPolicy), so that
//     SetKindPolicy does not replace the router the kind's channels hold.
//   - Handling twice is a no-op, not an error: a reactor with a restart
//     policy runs its constructor again and so registers again.
//   - kino drops an unroutable message with a log line; here it is
//     dead-lettered with reactor.ReasonNoRoute and the sender gets
//     ErrNoRoute.

// Kind names a message contract: the events of type T that handlers of
// Name at Version accept. Handlers of one name at two versions are
// separate routes: a v1 post never reaches a v2 handler. Kind is a small
// comparable value; the zero Version is a version like any other.
//
// Name is the identity. [KindOf] derives it from T; an explicit name (such as
// "shop.order") stays the same when the Go type is renamed or moved and is
// the one to use between programs. Name must not be empty.
type Kind[T any] struct {
	Name    string
	Version uint32
}

// KindOf returns the kind of T at version, named after T's Go type: its
// package path and name ("example.com/shop.Order") for a named type, the
// type's spelling otherwise ("int", "[]uint8", "*shop.Order").
//
// It costs a reflection look-up and, for a named type, a string
// concatenation: call it once and keep the result. The name changes when
// the type is renamed or moved; use an explicit [Kind] where that matters.
func KindOf[T any](version uint32) Kind[T] {
	t := reflect.TypeFor[T]()
	name := t.String()
	if t.Name() != "" && t.PkgPath() != "" {
		name = t.PkgPath() + "." + t.Name()
	}
	return Kind[T]{Name: name, Version: version}
}

// String returns "name@vN". It names the kind's router, so it is the
// Channel of the kind's dead letters and the Name of its [KindChannel].
func (kd Kind[T]) String() string {
	return kd.Name + "@v" + strconv.FormatUint(uint64(kd.Version), 10)
}

// Kinds is a registry of message kinds and their handlers, for one
// system. Make it with [NewKinds]; the zero Kinds is not usable, and a Kinds
// must not be copied after first use.
//
// All functions on a Kinds are safe for concurrent use. Registration
// ([Handle], [Unhandle], [SetKindPolicy], [KindChannel]) synchronizes before
// every post that starts after it returns: such a post sees the new handler
// set and policy.
type Kinds struct {
	sys *reactor.System

	mu    sync.Mutex                             // serializes additions to table
	table atomic.Pointer[map[string][]kindEntry] // by name; map and slices immutable once stored
}

// kindEntry is the route of one version of a kind. route is a
// *kindRoute[T] for the T the kind was first registered with; elem is T,
// for error messages.
type kindEntry struct {
	version uint32
	elem    reflect.Type
	route   any
}

// kindRoute is the typed route of one kind: a router whose policy can be
// swapped.
type kindRoute[T any] struct {
	r      *Router[T]
	policy kindPolicy[T]
}

// kindPolicy is a [Policy] that delegates to a replaceable one.
type kindPolicy[T any] struct {
	p atomic.Pointer[Policy[T]] // never nil once the route is published
}

func (kp *kindPolicy[T]) Pick(v T, m *Members) int { return (*kp.p.Load()).Pick(v, m) }

func (kp *kindPolicy[T]) set(p Policy[T]) {
	if p == nil {
		p = RoundRobin[T]()
	}
	kp.p.Store(&p)
}

// NewKinds returns an empty registry whose dead letters (events of kinds
// with no handler) go to sys. A nil sys panics.
func NewKinds(sys *reactor.System) *Kinds {
	if sys == nil {
		panic("router: NewKinds with a nil system")
	}
	k := &Kinds{sys: sys}
	empty := map[string][]kindEntry{}
	k.table.Store(&empty)
	return k
}

// lookup returns the entry of name at version, nil if there is none.
func (k *Kinds) lookup(name string, version uint32) *kindEntry {
	es := (*k.table.Load())[name]
	for i := range es {
		if es[i].version == version {
			return &es[i]
		}
	}
	return nil
}

// route returns kind's route, nil if the kind has none yet, or an error
// matching [ErrKindType] if it was registered with another type than T.
func route[T any](k *Kinds, kind Kind[T]) (*kindRoute[T], error) {
	e := k.lookup(kind.Name, kind.Version)
	if e == nil {
		return nil, nil
	}
	if kr, ok := e.route.(*kindRoute[T]); ok {
		return kr, nil
	}
	return nil, kindTypeError(kind, e.elem)
}

func kindTypeError[T any](kind Kind[T], has reflect.Type) error {
	return fmt.Errorf("router %s: carries %v, not %v: %w", kind, has, reflect.TypeFor[T](), ErrKindType)
}

// ensure returns kind's route, creating it (with the round-robin policy)
// if it has none. It costs O(kinds) when it creates one.
func ensure[T any](k *Kinds, kind Kind[T]) (*kindRoute[T], error) {
	if kind.Name == "" {
		return nil, fmt.Errorf("router: kind with no name: %w", reactor.ErrInvalidName)
	}
	if kr, err := route(k, kind); kr != nil || err != nil {
		return kr, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if kr, err := route(k, kind); kr != nil || err != nil {
		return kr, err // made by a writer that held mu before us
	}
	kr := &kindRoute[T]{}
	kr.policy.set(nil)
	kr.r = New[T](k.sys, kind.String(), &kr.policy)
	old := *k.table.Load()
	next := make(map[string][]kindEntry, len(old)+1)
	for name, es := range old {
		next[name] = es
	}
	e := kindEntry{version: kind.Version, elem: reflect.TypeFor[T](), route: kr}
	next[kind.Name] = append(slices.Clip(old[kind.Name]), e) // a new array: readers keep the old one
	k.table.Store(&next)
	return kr, nil
}

// Handle registers ch as a handler of kind: later posts of kind may go to
// ch. Registering a channel that already handles kind does nothing (so a
// restarted reactor's constructor may register again). Handlers are kept
// in the order they registered; the policy chooses among them.
//
// A handler stays registered until [Unhandle] or until its reactor
// terminates (see [Router.Add]: a post racing with the termination may
// still reach it, fail with [reactor.ErrTerminated] and be dead-lettered).
// [HandleConnector] also unregisters when the connector is sealed.
//
// It costs O(handlers of kind), plus O(kinds) the first time kind is used.
// Errors: [reactor.ErrNilChannel] for the zero channel, [reactor.ErrInvalidName]
// for an empty kind name, [ErrKindType] if kind was registered with another
// type than T. Do not make a kind its own handler, directly or through
// other routers: a post would loop.
func Handle[T any](k *Kinds, kind Kind[T], ch reactor.Channel[T]) error {
	if ch == (reactor.Channel[T]{}) {
		return fmt.Errorf("router %s: handle: %w", kind, reactor.ErrNilChannel)
	}
	kr, err := ensure(k, kind)
	if err != nil {
		return err
	}
	return kr.r.Add(ch)
}

// HandleConnector registers conn's channel as a handler of kind (as [Handle]
// does) until conn's events complete: when conn is sealed or its reactor
// terminates, the channel is unregistered. Owner only: call it from the
// reactor's constructor or handlers. Posts that race with the end are
// dead-lettered by the closed channel, never lost silently. A restart
// ends the failed incarnation's events, so it unregisters too, and the
// constructor's call registers again: while the reactor waits to restart,
// posts of kind do not go to it.
//
// It costs what Handle costs plus one subscription to conn's events. Its
// errors are Handle's.
func HandleConnector[T any](k *Kinds, kind Kind[T], conn *reactor.Connector[T]) error {
	ch := conn.Channel()
	if err := Handle(k, kind, ch); err != nil {
		return err
	}
	conn.Events().OnDone(func() { _ = Unhandle(k, kind, ch) }) // same T as Handle: no error
	return nil
}

// Unhandle removes ch from kind's handlers. A post that starts after
// Unhandle returns does not go to ch; one already under way may. A channel
// that does not handle kind is ignored. It costs O(handlers of kind).
// Errors: [ErrKindType] if kind was registered with another type than T.
func Unhandle[T any](k *Kinds, kind Kind[T], ch reactor.Channel[T]) error {
	kr, err := route(k, kind)
	if kr != nil {
		kr.r.Remove(ch)
	}
	return err
}

// Handlers returns kind's handlers, in registration order: nil if it has
// none or was registered with another type than T. It allocates a copy.
func Handlers[T any](k *Kinds, kind Kind[T]) []reactor.Channel[T] {
	kr, _ := route(k, kind)
	if kr == nil {
		return nil
	}
	return kr.r.Targets()
}

// SetKindPolicy sets the policy that chooses kind's handler for [Post] and
// [KindChannel] sends; nil restores the default, a fresh [RoundRobin]. A post
// that starts after SetKindPolicy returns uses p. Any [Policy] works ([Hash]
// for key affinity, [Broadcast] to make every send a [PostAll]); it must obey
// the Policy contract. Errors: as [Handle]'s, but for the channel.
func SetKindPolicy[T any](k *Kinds, kind Kind[T], p Policy[T]) error {
	kr, err := ensure(k, kind)
	if err != nil {
		return err
	}
	kr.policy.set(p)
	return nil
}

// KindChannel returns an ordinary channel that posts to kind: sending v to
// it is Post(k, kind, v), minus the registry look-up. Code that takes a
// [reactor.Channel] can so send by kind with no address. The channel works
// before kind has any handler (sends then fail with [ErrNoRoute]) and keeps
// working as handlers come and go. Every call returns the same channel;
// its Name is kind.String().
//
// The first call for a kind costs what creating it costs (see [Handle]);
// later calls cost a look-up. Errors: [reactor.ErrInvalidName] for an empty
// kind name, [ErrKindType] if kind was registered with another type than T.
func KindChannel[T any](k *Kinds, kind Kind[T]) (reactor.Channel[T], error) {
	kr, err := ensure(k, kind)
	if err != nil {
		return reactor.Channel[T]{}, err
	}
	return kr.r.Channel(), nil
}

// Post sends v to one handler of kind, chosen by the kind's policy
// (round-robin by default: over any n consecutive posts of a stable set
// of n handlers, each gets exactly one).
//
// Post runs on the caller's goroutine and never blocks (unless the chosen
// handler has a full mailbox of the Block policy). It takes no lock and
// allocates nothing: one atomic load and a map look-up by name (about 15ns
// for a 40-byte name on amd64) find the kind, then it costs what a [Router]
// send costs. Sending on the kind's [KindChannel] skips the look-up. Safe
// for concurrent use.
//
// Ordering: posts of one sender that go to the same handler arrive in the
// order posted (per-sender FIFO per handler). Posts spread over several
// handlers have no order between handlers.
//
// Errors: [ErrNoRoute] if kind has no handler, [ErrKindType] if kind was
// registered with another type than T; in both cases v is dead-lettered
// with [reactor.ReasonNoRoute] under the kind's name. Otherwise the chosen
// handler's Send error (see [reactor.Channel.Send]). v must not be mutated
// after Post.
func Post[T any](k *Kinds, kind Kind[T], v T) error {
	e := k.lookup(kind.Name, kind.Version)
	if e == nil {
		return k.noRoute(kind.String(), v)
	}
	kr, ok := e.route.(*kindRoute[T])
	if !ok {
		k.sys.DeadLetter(kind.String(), reactor.ReasonNoRoute, v)
		return kindTypeError(kind, e.elem)
	}
	return kr.r.Send(v)
}

// PostAll sends v to every handler of kind, one copy each, whatever the
// kind's policy (kino's broadcast). It costs one Send per handler and
// allocates nothing unless a send fails.
//
// Ordering: each handler gets a sender's PostAll events in the order
// posted; nothing is promised between handlers.
//
// Errors: [ErrNoRoute] if kind has no handler, [ErrKindType] if kind was
// registered with another type than T (v is then dead-lettered with
// [reactor.ReasonNoRoute]); otherwise the errors of the handlers whose Send
// failed, joined (the others got their copy). v must not be mutated after
// PostAll; all handlers share it.
func PostAll[T any](k *Kinds, kind Kind[T], v T) error {
	kr, err := route(k, kind)
	if err != nil {
		k.sys.DeadLetter(kind.String(), reactor.ReasonNoRoute, v)
		return err
	}
	if kr == nil {
		return k.noRoute(kind.String(), v)
	}
	set := kr.r.set.Load()
	if len(set.targets) == 0 {
		return k.noRoute(kr.r.name, v)
	}
	var errs []error
	for _, t := range set.targets {
		if err := t.Send(v); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// noRoute dead-letters v under name and returns [ErrNoRoute], as a router
// with no targets does.
func (k *Kinds) noRoute(name string, v any) error {
	k.sys.DeadLetter(name, reactor.ReasonNoRoute, v)
	return fmt.Errorf("router %s: %w", name, ErrNoRoute)
}
