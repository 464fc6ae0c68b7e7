//go:build !race

package sched

const randomizeRunNext = false
