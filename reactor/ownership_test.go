package reactor_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/internal/gid"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// owned is what a reactor hands out that only it may use.
type owned struct {
	conn   *reactor.Connector[int]
	stream events.Events[int] // conn's stream, taken by the owner
	em     *events.Emitter[int]
	sig    *events.Signal[int]
}

// spawnOwner spawns a reactor that creates a connector, an emitter and a
// signal, binds them by using them once, and hands them out.
func spawnOwner(t *testing.T, sys *reactor.System) owned {
	t.Helper()
	out := make(chan owned, 1)
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		c, err := reactor.Open[int](r, reactor.Daemon())
		require.NoError(t, err)
		stream := c.Events()
		stream.OnEvent(func(int) {})
		em := &events.Emitter[int]{}
		em.Events().OnEvent(func(int) {})
		sig := events.NewSignal(0)
		sig.Set(1)
		out <- owned{conn: c, stream: stream, em: em, sig: sig}
	})
	require.NoError(t, err)
	return reactortest.Receive(t, out)
}

func TestOwnershipFromAnotherReactor(t *testing.T) {
	if !gid.Supported {
		t.Skip("ownership is not checked where goroutines cannot be identified")
	}
	misuses := map[string]func(o owned){
		"subscribe to connector": func(o owned) { o.conn.Events().OnEvent(func(int) {}) },
		"seal connector":         func(o owned) { o.conn.Seal() },
		// Deliveries skip the check (the runtime makes them in the owner's
		// turns); subscribing to the stream handed out does not.
		"subscribe to connector's stream": func(o owned) { o.stream.OnEvent(func(int) {}) },
		"emit":                            func(o owned) { o.em.Emit(1) },
		"subscribe to emitter":            func(o owned) { o.em.Events().OnEvent(func(int) {}) },
		"set signal":                      func(o owned) { o.sig.Set(2) },
	}
	for name, misuse := range misuses {
		t.Run(name, func(t *testing.T) {
			sys, rec := newSys(t)
			o := spawnOwner(t, sys)
			intruder, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
				r.Main().Events().OnEvent(func(int) { misuse(o) })
			})
			require.NoError(t, err)
			require.NoError(t, intruder.Send(1))
			f := reactortest.Receive(t, rec.failed) // the intruder fails, not the owner
			require.Equal(t, intruder.Name(), f.Reactor+"#main")
			require.ErrorIs(t, f.Err, reactor.ErrNotOwner)
			require.ErrorIs(t, f.Err, events.ErrNotOwner)
		})
	}
}

func TestOwnershipFromPlainGoroutine(t *testing.T) {
	if !gid.Supported {
		t.Skip("ownership is not checked where goroutines cannot be identified")
	}
	sys, _ := newSys(t)
	o := spawnOwner(t, sys)
	catch := func(f func()) (err error) {
		defer func() { err, _ = recover().(error) }()
		f()
		return nil
	}
	require.ErrorIs(t, catch(func() { o.em.Emit(1) }), events.ErrNotOwner)
	require.ErrorIs(t, catch(func() { o.conn.Events() }), reactor.ErrNotOwner)
	require.ErrorIs(t, catch(func() { o.stream.OnEvent(func(int) {}) }), reactor.ErrNotOwner)
	require.ErrorIs(t, catch(func() { o.sig.Changes().OnEvent(func(int) {}) }), events.ErrNotOwner)
	// Channels are for everyone.
	require.NoError(t, o.conn.Channel().Send(1))
}

func TestStreamsOutsideReactorsAreUnchecked(t *testing.T) {
	var e events.Emitter[int]
	got := 0
	e.Events().OnEvent(func(v int) { got += v })
	e.Emit(2)
	require.Equal(t, 2, got)
}

func TestOwnershipOfCompletedIVarAndSignalValue(t *testing.T) {
	if !gid.Supported {
		t.Skip("ownership is not checked where goroutines cannot be identified")
	}
	sys, _ := newSys(t)
	type pair struct {
		iv  *events.IVar[int]
		sig *events.Signal[int]
	}
	out := make(chan pair, 1)
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		iv := &events.IVar[int]{}
		iv.Set(1) // binds it
		sig := events.NewSignal(0)
		sig.Set(1)
		out <- pair{iv, sig}
	})
	require.NoError(t, err)
	p := reactortest.Receive(t, out)
	catch := func(f func()) (err error) {
		defer func() { err, _ = recover().(error) }()
		f()
		return nil
	}
	require.ErrorIs(t, catch(func() { p.iv.Events().OnEvent(func(int) {}) }), events.ErrNotOwner)
	require.ErrorIs(t, catch(func() { _, _ = p.iv.Value() }), events.ErrNotOwner)
	require.ErrorIs(t, catch(func() { p.sig.Get() }), events.ErrNotOwner)
}
