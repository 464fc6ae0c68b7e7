// Package router routes events among reactor channels: by a policy over a
// set of targets ([Router]), by hierarchical path ([Paths]), by message kind
// ([Kinds]), and as request fan-out ([ScatterGather], [TailChop]).
//
// # Routers and policies
//
// A Router holds an ordered set of target channels and a [Policy]. Its
// [Router.Channel] is an ordinary [reactor.Channel]: sending to it picks a
// target on the sender's goroutine and sends there directly, with no extra
// hop and no allocation. Targets can be added and removed at any time; a send
// that starts after [Router.Add] or [Router.Remove] has returned sees the new
// set. [Install], [Open] and [Spawn] put a router on a reactor's connector or
// in a reactor of its own. A goroutine that routes alone may use its own
// [Producer], which keeps a round-robin's or deficit round-robin's state
// for itself instead of sharing it with every sender (no atomic
// instruction per pick; fairness then holds per producer).
//
// Policies are pure state machines (see Policy): [RoundRobin], [Random], [Hash]
// (xxhash of a key, frozen), [DeficitRoundRobin] (Reactors.IO's algorithm),
// [Broadcast], [ConsistentHash] with virtual nodes, [Weighted], [SmallestQueue]
// (the least loaded mailbox), or any [PolicyFunc]. An empty target set is a
// defined outcome: the send returns [ErrNoRoute] and the event is
// dead-lettered with [reactor.ReasonNoRoute].
//
// # Path routing
//
// Paths names channels by hierarchical paths ("srv/eu/s1") in a lock-free
// copy-on-write trie, Kompact's path routing: "srv/*" broadcasts to every
// channel under srv, "srv/?" selects one by the policy set at srv
// ([Paths.SetPolicy]), and with a policy the bare path "srv" routes too. Implicit
// routing (markers on paths without a policy) is off unless [ImplicitRoutes]
// is given. Malformed paths, duplicate registrations, markers after a
// channel's path and markers that do not match the policy are defined
// errors ([ErrBadPath], [ErrPathTaken], [ErrNotGroup], [ErrPolicyKind]).
//
// # Message kinds
//
// Kinds routes by what is sent rather than to whom, after kino: channels
// register as handlers of a [Kind] (a name and a version, typed by the
// event), [Post] sends to one handler of the kind by its policy (round-robin
// by default, so redundant handlers share the load), [PostAll] to all of
// them, and [KindChannel] gives a channel that posts.
//
// # Fan-out with replies
//
// ScatterGather sends a request to every target and gathers the first n
// replies; TailChop asks one target at a time, hedging at an interval,
// until one answers. Both have a blocking form for goroutines (with a
// context) and an IVar form for reactors (with a deadline). Replies that
// arrive after the caller stopped waiting are dead-lettered with
// [reactor.ReasonExpired], never delivered to anyone else.
//
// # Ordering
//
// Events of one sender routed to the same target arrive in the order sent
// (the target channel's per-sender FIFO). Nothing is promised across
// targets: a round-robin of one sender's events over two targets gives no
// order between them.
package router
