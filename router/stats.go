package router

// Stats is what a [Router] reports of its targets (see [Router.Stats]).
type Stats struct {
	Name    string        `json:"name"`
	Members []MemberStats `json:"members"` // in the order of Targets
}

// MemberStats is one target of a router.
type MemberStats struct {
	Channel string `json:"channel"` // the target's name, "reactor#channel"
	Routed  uint64 `json:"routed"`  // events the router sent it since it joined; 0 without introspection
	Waiting int    `json:"waiting"` // events in its mailbox now (reactor.Channel.Len)
}

// Stats returns the router's targets with the events it routed to each and
// their mailbox lengths. Routed events are counted only when the router's
// system was built with [reactor.WithIntrospection] (one atomic add per
// routed event, on a cache line per target); otherwise [MemberStats.Routed]
// is 0. A target's count starts when it joins and survives later [Router.Add]
// and [Router.Remove] calls of other targets. Safe for concurrent use; it
// allocates the slice.
func (r *Router[T]) Stats() Stats {
	set := r.set.Load()
	st := Stats{Name: r.name, Members: make([]MemberStats, len(set.targets))}
	for i, t := range set.targets {
		st.Members[i] = MemberStats{Channel: t.Name(), Waiting: t.Len()}
		if set.routed != nil {
			st.Members[i].Routed = set.routed[i].n.Load()
		}
	}
	return st
}
