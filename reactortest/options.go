package reactortest

// Option configures a faulty channel ([NewFaulty]).
type Option func(*config)

type config struct {
	clock Clock
}

// WithClock makes the channel's delays run on c instead of package
// time's clock. It panics if c is nil.
func WithClock(c Clock) Option {
	if c == nil {
		panic("reactortest: nil Clock")
	}
	return func(cfg *config) { cfg.clock = c }
}
