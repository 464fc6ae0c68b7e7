// Package queue holds the per-connector event queues of the runtime.
//
// [MPSC] is the default, unbounded queue: many producers, one consumer, lock
// free on both sides, one atomic add per push. [Ring] is the bounded queue used
// for mailboxes with an overflow policy: many producers and many consumers
// (so that a producer can evict the oldest element), lock free.
//
// MPSC keeps its elements in linked segments of up to 128 slots; the slots
// of a full-size segment that the consumer has read are used again by the
// next full-size segment of any queue of the same element type, so a busy
// queue allocates little more than a small header per 128 elements.
//
// Both queues keep the order of the pushes of any one producer. A push that
// has claimed its slot but not yet published it is invisible to Pop: the
// consumer sees the queue as empty until the producer finishes. Callers that
// park a consumer must therefore have producers re-check for sleepers after
// publishing (the reactor's state word does this).
package queue
