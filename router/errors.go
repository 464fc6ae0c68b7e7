package router

import "errors"

// ErrNoRoute is returned by a send through a router whose policy chose no
// target (an empty target set, or a policy that refused the event). The
// event is dead-lettered with [reactor.ReasonNoRoute].
var ErrNoRoute = errors.New("router: no route")

// ErrNilFunc is returned (or failed with, by the in-reactor forms) when a
// gather's request builder is nil: [ScatterGather], [ScatterGatherIn],
// [TailChop], [TailChopIn]. Nothing is sent.
var ErrNilFunc = errors.New("router: nil function")

// ErrKindType is returned when a message kind is used with another Go type
// than the one it was first registered with: two [Kind] values share a name
// and version but not a type. Posts of such a kind are dead-lettered with
// [reactor.ReasonNoRoute].
var ErrKindType = errors.New("router: kind registered with another type")

// Errors of path routing ([Paths]). Sends that fail with them dead-letter
// the event with [reactor.ReasonNoRoute].
var (
	// ErrBadPath: a path breaks the grammar (see [BroadcastMarker]): an
	// empty segment, a reserved or space character, a marker where none
	// may be, invalid UTF-8, or too long.
	ErrBadPath = errors.New("router: malformed path")
	// ErrPathTaken: a registration or policy names a path that already
	// holds an entry (use [Paths.Replace] to rebind a path).
	ErrPathTaken = errors.New("router: path already registered")
	// ErrNotGroup: a send path ends in a marker but names a channel, not
	// a group.
	ErrNotGroup = errors.New("router: marker after a channel's path")
	// ErrPolicyKind: a send path's marker does not match the policy at
	// its path: "*" needs [Broadcast], "?" any other policy.
	ErrPolicyKind = errors.New("router: marker does not match the path's policy")
)
