package reactortest

import "time"

// Decision is what a script stage does with one event that enters it.
// The zero Decision passes the event on unchanged.
//
// The event's copies (one, plus Duplicates) are handled first: dropped,
// held, delayed or passed on at once to the next stage (the target after
// the last one). Then, if Release is set, the stage's held events are
// passed on, in buffer order.
type Decision struct {
	// Drop discards the event (counted in [Stats.Dropped], never a dead
	// letter). Duplicates, Hold, Before and Delay are then ignored.
	Drop bool
	// Duplicates is the number of extra copies to make; each copy goes on
	// through the rest of the script on its own. Negative counts as 0.
	Duplicates int
	// Hold keeps each copy in the stage's hold buffer until a [Decision]
	// with Release, or [Faulty.Flush]. Delay is ignored for a held event.
	Hold bool
	// Before places a held copy before the last Before events of the hold
	// buffer (0: after all of them; clamped to the buffer's length).
	Before int
	// Delay passes each copy on after this long on the channel's clock
	// (0 or negative: at once). Copies that fall due at the same instant
	// go on in the order they were delayed.
	Delay time.Duration
	// Release passes every held event on, in buffer order, after the
	// event's own copies.
	Release bool
}

// ScriptFunc decides the fate of each event entering one stage of a
// script: seq counts the events that entered the stage before this one
// (from 0), held is the number of events the stage holds now. A stage
// calls its function for one event at a time, in the order the events
// enter the stage, never concurrently for one channel. It runs with the
// channel's lock held, so it must be quick and must not use the channel.
type ScriptFunc func(seq uint64, held int) Decision

// Script describes the faults of a channel: a pipeline of stages, each
// deciding per event (see [Decision]). The zero Script delivers every event
// unchanged.
//
// A Script is a recipe, not a running state: each [NewFaulty] builds fresh
// stages from it, with their random sources seeded afresh. So one Script
// may serve any number of channels, and the same Script applied to the
// same sequence of sends always gives the same deliveries. The exception
// is a [Func] stage, whose function (and any state it captures) is shared
// by every channel the Script serves. Scripts are safe for concurrent
// use.
type Script struct {
	stages []func() ScriptFunc // each call builds a stage's fresh state
}

// Func returns a one-stage script that decides with f (see [ScriptFunc]).
// f's state, if any, is shared by every channel the script serves: give
// each channel its own Func script when f keeps state. It panics if f is
// nil.
func Func(f ScriptFunc) Script {
	if f == nil {
		panic("reactortest: nil ScriptFunc")
	}
	return oneStage(func() ScriptFunc { return f })
}

// Chain returns the script that runs the given scripts in order: what
// leaves one stage enters the next. Chain(Drop(p, s1), Duplicate(q, s2))
// duplicates only the events that were not dropped; a copy made by a
// stage meets every later stage on its own.
func Chain(scripts ...Script) Script {
	var all []func() ScriptFunc
	for _, s := range scripts {
		all = append(all, s.stages...)
	}
	return Script{stages: all}
}

// oneStage returns a one-stage script built by newStage.
func oneStage(newStage func() ScriptFunc) Script {
	return Script{stages: []func() ScriptFunc{newStage}}
}
