package router

// Broadcast returns a policy that gives every event to every member: Pick
// returns All, or None for an empty set. The router sends one copy per
// member (see Router.Send for how partial failures are reported).
//
// Pick costs a length check and allocates nothing. The policy is safe for
// concurrent use and holds no state.
func Broadcast[T any]() Policy[T] {
	return PolicyFunc[T](func(_ T, m *Members) int {
		if m.Len() == 0 {
			return None
		}
		return All
	})
}
