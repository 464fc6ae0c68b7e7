// Package router routes events among a set of reactor channels.
//
// A Router holds an ordered set of target channels and a Policy. Its
// Channel is an ordinary reactor.Channel: sending to it picks a target on
// the sender's goroutine and sends there directly, with no extra hop and
// no allocation. Targets can be added and removed at any time; a send that
// starts after Add or Remove has returned sees the new set.
//
// Policies are pure state machines (see Policy): round-robin, random,
// hash (xxhash of a key, frozen), deficit round-robin (Reactors.IO's
// algorithm), broadcast, consistent hashing with virtual nodes, weighted,
// or any PolicyFunc. An empty target set is a defined outcome: the send
// returns ErrNoRoute and the event is dead-lettered with ReasonNoRoute.
//
// Ordering: events of one sender routed to the same target arrive in the
// order sent (the target channel's per-sender FIFO). Nothing is promised
// across targets.
package router
