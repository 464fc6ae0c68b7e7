package reactor_test

import (
	"sync"
	"testing"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// newSys returns a reactortest.NewSystem system whose failures and dead
// letters are recorded.
func newSys(t *testing.T, opts ...reactor.Option) (*reactor.System, *recorder) {
	t.Helper()
	rec := &recorder{failed: make(chan reactor.Failure, 100)}
	opts = append([]reactor.Option{
		reactor.WithFailureHandler(func(f reactor.Failure) { rec.failed <- f }),
		reactor.WithDeadLetterHandler(rec.deadLetter),
	}, opts...)
	return reactortest.NewSystem(t, opts...), rec
}

// recorder collects what the system reports.
type recorder struct {
	failed chan reactor.Failure
	mu     sync.Mutex
	dead   []reactor.DeadLetter
}

func (r *recorder) deadLetter(d reactor.DeadLetter) {
	r.mu.Lock()
	r.dead = append(r.dead, d)
	r.mu.Unlock()
}

func (r *recorder) deadLetters() []reactor.DeadLetter {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]reactor.DeadLetter(nil), r.dead...)
}
