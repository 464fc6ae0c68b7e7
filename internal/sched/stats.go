package sched

// WorkerStats is what one pool worker has done, as [Pool.Stats] reads it.
type WorkerStats struct {
	Queue  int    // tasks in its local run queue, plus its run-next slot
	Turns  uint64 // turns run
	Steals uint64 // turns of tasks found outside its own queue and slot
	Parks  uint64 // times it parked for want of work
	Parked bool   // parked now
}

// Stats returns each worker's counters and the length of the global
// queue. The figures are read one by one while the workers run, so they
// are not a snapshot of one instant; a busy worker's turns and steals
// are published every 64 turns and whenever it parks, so they may lag by
// up to 63 turns while it runs. Safe for concurrent use; it
// allocates the returned slice.
func (p *Pool[T]) Stats() (workers []WorkerStats, global int) {
	workers = make([]WorkerStats, len(p.workers))
	for i, w := range p.workers {
		h := w.local.head.Load()
		q := min(max(int(int32(w.local.tail.Load()-h)), 0), localSize)
		if w.nextTask() != nil {
			q++
		}
		workers[i] = WorkerStats{
			Queue:  q,
			Turns:  w.turns.Load(),
			Steals: w.steals.Load(),
			Parks:  w.parks.Load(),
			Parked: w.parked.Load() != 0,
		}
	}
	return workers, int(p.global.n.Load())
}
