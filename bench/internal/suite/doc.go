// Package suite is the benchmark suite behind the bench commands: the
// workloads W0-W7 of BENCHMARKS.md with their raw-Go and reactors peers,
// the runner (warm-up, rotating rounds, validation, paired ratios) and the
// report (table and JSON).
//
// A command calls Main. A command that measures further libraries passes
// them to Main as Peers: each Peer brings its own Cases for some of the
// workloads and the Ratios they add; its cases join the warm-up and the
// rotating rounds of the built-in peers in the same process, and its
// ratio lines are paired with raw Go's runs of the same rounds. The
// exported drivers (W1Play, W2Drive, W3Finish, W4Drive, W5Drive, W6Times,
// and the helpers they use) are the workloads' shared timing and checking
// code, so that a Case only builds its library's actors and sends its
// library's messages.
//
// The package lives under bench/internal: only the bench commands (the
// root module's and the nested modules under bench/) import it.
package suite
