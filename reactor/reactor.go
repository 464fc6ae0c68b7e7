package reactor

import (
	"time"

	"github.com/rs/zerolog"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/internal/sched"
)

// Reactor is a running reactor as its own code sees it: the value passed to
// the body given to [Spawn]. Its main connector carries T.
//
// A Reactor is owned by its turns: call its methods only from its constructor
// and handlers ([Reactor.Name], [Reactor.ID] and [Reactor.System] are safe
// anywhere).
//
// The body has no field: until the constructor turn it waits in the main
// connector's first subscriber slot, which nothing else can fill before
// the body runs (see [constructor]); a reactor with a restart policy also
// keeps it in its side record, for the next incarnations.
type Reactor[T any] struct {
	f    frame
	main Connector[T]
}

// constructor is a reactor's body while it waits for the constructor
// turn in the main connector's subscriber list ([emit.List.Hold]). As an
// observer it observes nothing: a reactor that ends before its first turn
// completes its stream with the body still there.
type constructor[T any] func(*Reactor[T])

func (constructor[T]) OnEvent(T)     {}
func (constructor[T]) OnError(error) {}
func (constructor[T]) OnDone()       {}

// Owner is a reactor as seen by functions that add to it ([Open], the clock,
// [Watch]). [*Reactor][T] implements it for every T.
type Owner interface {
	// System returns the reactor's system.
	System() *System
	// Lifecycle returns the reactor's lifecycle stream ([Reactor.Lifecycle]):
	// protocols flush batched work on [Preempted]. Owner only.
	Lifecycle() events.Events[Lifecycle]
	frame() *frame
}

func (r *Reactor[T]) frame() *frame { return &r.f }

// Main returns the main connector, whose channel [Spawn] returned.
func (r *Reactor[T]) Main() *Connector[T] { return &r.main }

// System returns the reactor's system.
func (r *Reactor[T]) System() *System { return r.f.sys }

// ID returns the reactor's id, unique within the process.
func (r *Reactor[T]) ID() uint64 { return r.f.id }

// Name returns the reactor's name: the one given with [WithName], or
// "reactor-<id>".
func (r *Reactor[T]) Name() string { return r.f.name() }

// Restarts returns how many times the reactor was restarted after a
// failure.
func (r *Reactor[T]) Restarts() int {
	x := r.f.x.Load()
	if x == nil {
		return 0
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.restarts
}

// Lifecycle returns the stream of the reactor's lifecycle events: [Started]
// (right after the constructor), [Scheduled] and [Preempted] around every turn,
// [Died] on failure, [Terminated] last. Subscribe from the constructor to see
// Started. Emitting to nobody costs nothing; with a subscriber, every turn
// emits two events.
func (r *Reactor[T]) Lifecycle() events.Events[Lifecycle] {
	r.f.checkOwner()
	return r.f.ensureExtra().life.Events()
}

// Log returns the reactor's logger: the system's, with the reactor's name
// and id as fields. The first call allocates it.
func (r *Reactor[T]) Log() *zerolog.Logger {
	x := r.f.ensureExtra()
	if x.log == nil {
		l := r.f.sys.log.With().Str("reactor", r.f.name()).Uint64("id", r.f.id).Logger()
		x.log = &l
	}
	return x.log
}

// construct runs the body: the one a restart policy keeps for every
// incarnation, or the one held for the only incarnation of a reactor
// without a policy. The held body is released at the first turn, before
// anything else could subscribe: a policy's reactor holds none, so
// whatever runs between its incarnations (RunIfIdle) cannot be taken
// for a body.
func (r *Reactor[T]) construct() {
	if x := r.f.x.Load(); x != nil && x.body != nil {
		x.body.(func(*Reactor[T]))(r)
		return
	}
	b, ok := r.main.subs.Release().(constructor[T])
	if !ok {
		panic("reactor: the body of " + r.f.name() + " is gone") // unreachable: one construct per reactor without a policy
	}
	b(r)
}

func (r *Reactor[T]) drain(budget int) int { return r.main.drain(budget) }
func (r *Reactor[T]) pending() bool        { return r.main.pending() }
func (r *Reactor[T]) claimed() bool        { return r.main.claimed() }
func (r *Reactor[T]) shut(reason Reason)   { r.main.shut(reason) }
func (r *Reactor[T]) reset()               { r.main.reset() }
func (r *Reactor[T]) stopping()            { r.main.stopping() }
func (r *Reactor[T]) sealed() bool         { return r.main.sealed() }
func (r *Reactor[T]) keepsAlive() bool     { return r.main.keepsAlive() }
func (r *Reactor[T]) trim()                { r.main.trim() }
func (r *Reactor[T]) connName() string     { return r.main.Name() }
func (r *Reactor[T]) view() connView       { return r.main.view() }

// Scheduler chooses where a reactor's turns run.
type Scheduler uint8

// Schedulers.
const (
	// SharedPool runs turns on the system's worker pool (the default). An
	// idle reactor owns no goroutine.
	SharedPool Scheduler = iota
	// Dedicated gives the reactor a goroutine of its own, parked while the
	// reactor is idle and ended when it terminates: for reactors whose
	// handlers block (on I/O, say) and must not hold a pool worker.
	Dedicated
)

// Spawn starts a reactor whose main channel carries T and returns that
// channel. body is the reactor's constructor: it runs once, inside the
// reactor, at its first turn, and typically subscribes handlers to
// r.Main().Events().
//
// The channel is usable at once, before body runs: events sent early are
// queued and delivered after body returns. Spawn may be called from any
// goroutine, including from inside another reactor. It costs one
// allocation of 144 bytes for a Reactor[int64] (more for a larger T)
// with the shared pool, and no goroutine.
//
// Errors: [ErrInvalidName] or [ErrDuplicateName] for a bad [WithName],
// [ErrInvalidOption] for an option out of range ([WithMain]'s [Bounded],
// [WithScheduler], [WithRestart]), [ErrClosed] once the system is shutting
// down, [ErrNilSystem] for a nil sys. On error nothing was started. A nil
// body panics.
func Spawn[T any](sys *System, body func(*Reactor[T]), opts ...SpawnOption) (Channel[T], error) {
	r, err := spawn(sys, body, opts, false)
	if err != nil {
		return Channel[T]{}, err
	}
	if l := r.f.ownLoop(); l != nil {
		l.Schedule()
	} else {
		sys.pool.ScheduleLazy(&r.f)
	}
	return r.main.Channel(), nil
}

// Run runs a reactor on the calling goroutine (to make main a reactor, say)
// and returns when it terminates: nil after a normal termination or a
// shutdown, its failure otherwise. The body can hand out
// r.Main().Channel() to other reactors. It fails at once, running
// nothing, with [Spawn]'s errors.
func Run[T any](sys *System, body func(*Reactor[T]), opts ...SpawnOption) error {
	r, err := spawn(sys, body, opts, true)
	if err != nil {
		return err
	}
	l := r.f.ownLoop()
	l.Schedule()
	l.Run(&r.f, (*frame).loopTurn)
	x := r.f.ensureExtra()
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.err
}

func spawn[T any](sys *System, body func(*Reactor[T]), opts []SpawnOption, onCaller bool) (*Reactor[T], error) {
	if body == nil {
		panic("reactor: Spawn with a nil body")
	}
	if sys == nil {
		return nil, ErrNilSystem
	}
	var cfg spawnConfig
	if len(opts) > 0 { // options escape: pay for them only when used
		cfg = spawnOptions(opts)
	}
	cc := connConfig{name: "main"}
	if len(cfg.main) > 0 {
		cc = connOptions(cc, cfg.main)
	}
	if cfg.err != nil {
		return nil, cfg.err
	}
	if cc.err != nil {
		return nil, cc.err
	}
	if err := validName(cc.name); err != nil {
		return nil, err
	}
	if cfg.named {
		if err := validName(cfg.name); err != nil {
			return nil, err
		}
	}
	r := new(Reactor[T])
	f := &r.f
	f.sys, f.tab = sys, typedTab(r)
	f.state.Store(stScheduled) // the first turn is ours to schedule
	r.main.init(f, cc, true)
	if cfg.restart == nil {
		r.main.subs.Hold(constructor[T](body))
	}
	ownLoop := onCaller || cfg.sched == Dedicated
	if cfg.name != "" || cfg.restart != nil || ownLoop {
		x := new(extra)
		x.name = cfg.name
		x.restart = cfg.restart
		if cfg.restart != nil {
			x.body = body
		}
		if ownLoop {
			x.loop = sched.NewLoop[frame](onCaller)
			f.flags.Store(flagLoop)
		}
		f.x.Store(x)
	}
	if sys.obs != nil {
		f.obs.Store(sys.obs.bornAt(time.Now()))
	}
	if cfg.name != "" {
		if err := sys.names.reserveReactor(cfg.name, f); err != nil {
			return nil, err
		}
	}
	f.id = nextID.Add(1)
	if err := sys.register(f); err != nil {
		if cfg.name != "" {
			sys.names.releaseReactor(cfg.name, f)
		}
		return nil, err
	}
	sys.spawned.Add(1)
	if cfg.name != "" {
		sys.names.publish(cfg.name+"#"+cc.name, &r.main)
	}
	if ownLoop && !onCaller {
		f.ownLoop().Go(&sys.loops, f, (*frame).loopTurn)
	}
	return r, nil
}
