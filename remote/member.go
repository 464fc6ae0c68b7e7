package remote

import "slices"

// Member is one node of a registry: its id and the names it exports with
// [Export] or serves with [Serve], sorted.
type Member struct {
	ID    string   `json:"id"`
	Names []string `json:"names"`
}

// Exports reports whether the member exports name.
func (m Member) Exports(name string) bool {
	_, ok := slices.BinarySearch(m.Names, name)
	return ok
}
