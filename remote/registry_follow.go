package remote

// follower is told the exporters of name at every change of the registry
// (see [node.Internals.Follow], which remote/follow builds on). set runs
// under the registry's lock, so its calls are serialized.
type follower struct {
	name string
	set  func(ids []string)
}

// follow calls set with the exporters of name now and at every later
// change, until the returned stop is called. It takes the registry's
// lock.
func (r *registry) follow(name string, set func(ids []string)) (stop func()) {
	f := &follower{name: name, set: set}
	r.mu.Lock()
	defer r.mu.Unlock()
	f.set(r.exportersLocked(name))
	r.followers[f] = struct{}{}
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.followers, f)
	}
}
