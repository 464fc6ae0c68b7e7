package reactor

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"unicode"
)

// registry maps names of live reactors and their channels. Only reactors
// spawned [WithName] are registered, with their named connectors as
// "reactor#channel".
type registry struct {
	mu       sync.Mutex
	reactors map[string]*frame
	chans    map[string]any // "reactor#channel" -> *Connector[T]
	waiters  map[string][]chan struct{}
}

func (g *registry) init() {
	g.reactors = map[string]*frame{}
	g.chans = map[string]any{}
	g.waiters = map[string][]chan struct{}{}
}

func (g *registry) reserveReactor(name string, f *frame) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.reactors[name]; ok {
		return fmt.Errorf("reactor %q: %w", name, ErrDuplicateName)
	}
	g.reactors[name] = f
	return nil
}

func (g *registry) releaseReactor(name string, f *frame) {
	g.mu.Lock()
	if g.reactors[name] == f {
		delete(g.reactors, name)
	}
	g.mu.Unlock()
}

// publish registers a channel and wakes those awaiting it.
func (g *registry) publish(full string, c any) {
	g.mu.Lock()
	g.chans[full] = c
	w := g.waiters[full]
	delete(g.waiters, full)
	g.mu.Unlock()
	for _, ch := range w {
		close(ch)
	}
}

func (g *registry) releaseChannel(full string, c any) {
	g.mu.Lock()
	if g.chans[full] == c {
		delete(g.chans, full)
	}
	g.mu.Unlock()
}

// validName accepts non-empty names without '#', spaces or control
// characters.
func validName(n string) error {
	if n == "" || strings.ContainsFunc(n, func(r rune) bool {
		return r == '#' || unicode.IsSpace(r) || unicode.IsControl(r)
	}) {
		return ErrInvalidName
	}
	return nil
}

// splitName checks that name is "reactor#channel".
func splitName(name string) error {
	r, c, ok := strings.Cut(name, "#")
	if !ok || validName(r) != nil || validName(c) != nil {
		return fmt.Errorf("%q is not \"reactor#channel\": %w", name, ErrInvalidName)
	}
	return nil
}

func lookup[T any](g *registry, name string) (Channel[T], bool, error) {
	v, ok := g.chans[name]
	if !ok {
		return Channel[T]{}, false, nil
	}
	c, ok := v.(*Connector[T])
	if !ok {
		return Channel[T]{}, true, fmt.Errorf("channel %q: %w", name, ErrWrongType)
	}
	return c.Channel(), true, nil
}

// Get returns the channel registered as name ("reactor#channel") now.
// Errors: [ErrInvalidName], [ErrNotFound], [ErrWrongType] (the channel carries
// another type than T), [ErrNilSystem].
func Get[T any](sys *System, name string) (Channel[T], error) {
	if err := splitName(name); err != nil {
		return Channel[T]{}, err
	}
	if sys == nil {
		return Channel[T]{}, ErrNilSystem
	}
	sys.names.mu.Lock()
	defer sys.names.mu.Unlock()
	ch, ok, err := lookup[T](&sys.names, name)
	if !ok {
		return ch, fmt.Errorf("channel %q: %w", name, ErrNotFound)
	}
	return ch, err
}

// Await returns the channel registered as name, waiting until a reactor
// registers it, ctx is done or the system shuts down. It blocks on nothing
// else, and leaves nothing behind when it gives up: its error is then
// ctx.Err(), or [ErrClosed] once [System.Shutdown] has been called (at once
// if it had been before the call; a channel already registered is still
// returned). Other errors are [Get]'s. Do not call it from inside a reactor:
// reactors must not block.
func Await[T any](ctx context.Context, sys *System, name string) (Channel[T], error) {
	if err := splitName(name); err != nil {
		return Channel[T]{}, err
	}
	if sys == nil {
		return Channel[T]{}, ErrNilSystem
	}
	g := &sys.names
	for {
		g.mu.Lock()
		ch, ok, err := lookup[T](g, name)
		if ok {
			g.mu.Unlock()
			return ch, err
		}
		select {
		case <-sys.stop:
			g.mu.Unlock()
			return Channel[T]{}, ErrClosed
		default:
		}
		w := make(chan struct{})
		g.waiters[name] = append(g.waiters[name], w)
		g.mu.Unlock()
		select {
		case <-w:
		case <-ctx.Done():
			g.forget(name, w)
			return Channel[T]{}, ctx.Err()
		case <-sys.stop:
			g.forget(name, w)
			return Channel[T]{}, ErrClosed
		}
	}
}

// forget removes the waiter w of name, which gave up.
func (g *registry) forget(name string, w chan struct{}) {
	g.mu.Lock()
	defer g.mu.Unlock()
	ws := g.waiters[name]
	for i, x := range ws {
		if x == w {
			ws = append(ws[:i], ws[i+1:]...)
			break
		}
	}
	if len(ws) == 0 {
		delete(g.waiters, name)
	} else {
		g.waiters[name] = ws
	}
}
