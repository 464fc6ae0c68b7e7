package events

// Subscription ends an observer's interest in a stream, or releases any other
// resource (a timer, a connector). [Subscription.Unsubscribe] is idempotent:
// calls after the first do nothing.
type Subscription interface {
	Unsubscribe()
}

type nop struct{}

func (nop) Unsubscribe() {}

// Nop returns a subscription that does nothing.
func Nop() Subscription { return nop{} }

type funcSub struct{ f func() }

func (s *funcSub) Unsubscribe() {
	if f := s.f; f != nil {
		s.f = nil
		f()
	}
}

// OnUnsubscribe returns a subscription that calls f on its first
// [Subscription.Unsubscribe].
func OnUnsubscribe(f func()) Subscription { return &funcSub{f: f} }

type composite []Subscription

func (c composite) Unsubscribe() {
	for _, s := range c {
		s.Unsubscribe()
	}
}

// Composite returns a subscription that unsubscribes every one of subs, in
// order.
func Composite(subs ...Subscription) Subscription { return composite(subs) }
