package reactor

// Stats is a system's counters, as [System.Stats] reads them.
type Stats struct {
	Reactors    int               // live reactors: spawned and not yet terminated
	Spawned     uint64            // reactors spawned so far
	Failures    uint64            // reactor failures so far: panics and unhandled stream errors
	Restarts    uint64            // restarts under restart policies so far
	DeadLetters map[Reason]uint64 // dead letters so far, by reason (zero counts left out)
	Workers     []WorkerStats     // the shared pool's workers
	GlobalQueue int               // reactors waiting in the pool's global queue
}

// WorkerStats is what one worker of the shared pool has done. A busy
// worker publishes its Turns and Steals every 64 turns and whenever it
// parks, so they may lag by up to 63 turns while it runs.
type WorkerStats struct {
	Queue  int    // reactors waiting in its local run queue and run-next slot
	Turns  uint64 // turns it ran
	Steals uint64 // turns of reactors it took from elsewhere (other workers, the global queue)
	Parks  uint64 // times it parked for want of work
	Parked bool   // parked now
}

// Stats returns the system's counters. They are kept whether or not
// [WithIntrospection] is on (a few owner-only stores per turn) and read
// one by one, so they are not a snapshot of one instant. Safe for
// concurrent use; it takes the system's lock briefly and allocates the
// map and the slice.
func (s *System) Stats() Stats {
	s.mu.Lock()
	n := s.nlive
	s.mu.Unlock()
	st := Stats{
		Reactors:    n,
		Spawned:     s.spawned.Load(),
		Failures:    s.failures.Load(),
		Restarts:    s.restarts.Load(),
		DeadLetters: map[Reason]uint64{},
	}
	for r := range numReasons {
		if c := s.dead[r].Load(); c > 0 {
			st.DeadLetters[r] = c
		}
	}
	ws, global := s.pool.Stats()
	st.Workers = make([]WorkerStats, len(ws))
	for i, w := range ws {
		st.Workers[i] = WorkerStats(w)
	}
	st.GlobalQueue = global
	return st
}
