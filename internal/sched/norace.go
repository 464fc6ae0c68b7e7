//go:build !race

package sched

const randomizeRunNext = false

const raceBuild = false
