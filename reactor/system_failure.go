package reactor

import (
	"fmt"
	"runtime/debug"
)

// Failure describes a reactor failure, as given to the failure handler.
type Failure struct {
	Reactor  string // the reactor's name
	ID       uint64
	Err      error // *PanicError for a panic, *events.UnhandledError for an unhandled stream error
	Restarts int   // how many times the reactor had been restarted before this failure
	Final    bool  // the reactor terminates (no restart follows)
}

func (s *System) reportFailure(f *frame, err error, final bool) {
	s.failures.Add(1)
	x := f.ensureExtra()
	x.mu.Lock()
	n := x.restarts
	x.mu.Unlock()
	fl := Failure{Reactor: f.name(), ID: f.id, Err: err, Restarts: n, Final: final}
	if h := s.cfg.onFailure; h != nil {
		h(fl)
		return
	}
	ev := s.log.Error().Str("reactor", fl.Reactor).Uint64("id", fl.ID).Err(err).Bool("final", final)
	if p, ok := err.(*PanicError); ok {
		ev = ev.Bytes("stack", p.Stack)
	}
	ev.Msg("reactor failed")
}

// callFailureHandler calls the failure handler h with fl; a panic in h is
// logged, not reported again.
func (s *System) callFailureHandler(h func(Failure), fl Failure) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error().Str("reactor", fl.Reactor).Uint64("id", fl.ID).AnErr("failure", fl.Err).
				Str("panic", fmt.Sprint(v)).Bytes("stack", debug.Stack()).Msg("failure handler panicked")
		}
	}()
	h(fl)
}
