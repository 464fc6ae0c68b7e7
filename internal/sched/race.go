//go:build race

package sched

// randomizeRunNext makes [Pool.Schedule] skip the run-next slot at random in race
// builds, as the Go runtime does, so that tests see reactors migrate
// between workers and interleave in more orders than the hand-off alone
// would produce.
const randomizeRunNext = true

// raceBuild reports a race build: a pool of one worker then writes its
// run-next slot atomically (see NewPool).
const raceBuild = true
