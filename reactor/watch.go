package reactor

import (
	"fmt"

	"github.com/reactors-go/reactors/events"
)

// Termination tells a watcher that a reactor terminated: its name and its
// failure (nil after a normal termination or a shutdown).
type Termination struct {
	Reactor string
	Err     error
}

// Watch returns a stream, owned by o, that emits once when the reactor
// owning target terminates, then completes. If it has already terminated,
// the event comes at o's next turn. The event travels on a daemon
// connector of o, so watching does not keep o alive; unsubscribing closes
// it. Owner only (o's constructor or handlers).
func Watch[U any](o Owner, target Channel[U]) events.Events[Termination] {
	return events.From[Termination](&watchSource[U]{o: o, target: target})
}

type watchSource[U any] struct {
	o      Owner
	target Channel[U]
}

func (s *watchSource[U]) Subscribe(obs events.Observer[Termination]) events.Subscription {
	if s.target.c == nil {
		obs.OnError(ErrNilChannel)
		return events.Nop()
	}
	if s.target.c.f == nil { // a forwarding channel (ChannelOf): no reactor to watch
		obs.OnError(fmt.Errorf("reactor: watch %s: a forwarding channel has no reactor: %w", s.target.Name(), ErrNilChannel))
		return events.Nop()
	}
	c, err := Open[Termination](s.o, Daemon())
	if err != nil {
		obs.OnError(err)
		return events.Nop()
	}
	c.extra().quiet = true
	ch := c.Channel()
	tf := s.target.c.f
	name := tf.name()
	tf.onTerminate(func(err error) { _ = ch.Send(Termination{Reactor: name, Err: err}) })
	sub := c.Events().Subscribe(&events.Funcs[Termination]{
		Event: func(t Termination) {
			obs.OnEvent(t)
			c.Seal()
		},
		Error: obs.OnError,
		Done:  obs.OnDone,
	})
	return events.Composite(sub, events.OnUnsubscribe(func() { c.Seal() }))
}
