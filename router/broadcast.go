package router

// Broadcast returns a policy that gives every event to every member:
// [Policy.Pick] returns [All], or [None] for an empty set. The router sends
// one copy per member (see [Router.Send] for how partial failures are
// reported). It is the policy that answers the broadcast marker of path
// routing ("a/*", see [Paths]).
//
// Pick costs a length check and allocates nothing. The policy is safe for
// concurrent use and holds no state.
func Broadcast[T any]() Policy[T] { return broadcast[T]{} }

type broadcast[T any] struct{}

func (broadcast[T]) Pick(_ T, m *Members) int {
	if m.Len() == 0 {
		return None
	}
	return All
}

// isBroadcast reports whether p is [Broadcast]'s policy.
func isBroadcast[T any](p Policy[T]) bool {
	_, ok := p.(broadcast[T])
	return ok
}
