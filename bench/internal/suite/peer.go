package suite

import (
	"slices"
	"strings"
)

// Peer is a further implementation measured beside raw Go and this
// framework, given to Main. Its cases join the warm-up and the rotating
// rounds of the workloads they belong to, in the same process as the
// built-in peers, and -peer selects it by Name.
type Peer struct {
	// Name is the peer's name in the report and for -peer; it must differ
	// from "raw", "reactors", "all" and every other peer's.
	Name string
	// Cases are the variants the peer runs, each in one of the workloads
	// W0-W7; a workload without one runs without the peer.
	Cases []Case
	// Ratios are paired comparisons the built-in workloads do not define
	// already: a built-in ratio of a variant (see BENCHMARKS.md) applies
	// to every peer's case of that variant.
	Ratios []Ratio
	// About is one line for the report's header when the peer is
	// selected: what it is, and its version ("" for none).
	About string
	// Notes describe how the peer runs a workload, keyed by workload
	// name; each is appended to the workload's header line.
	Notes map[string]string
}

// Case is one variant of a workload as a peer runs it. Run is called once
// for the warm-up and once per round, each time after a runtime.GC. It
// builds everything it measures before t0 and tears it all down after t1,
// so that nothing of it is left running when it returns; it returns the
// run's metrics, or an error when the run's check fails (the run is then
// reported as ERROR and left out of the statistics).
type Case struct {
	Workload string // "W1" .. "W7", as workload names are spelt
	Variant  string // the variant name, the same as raw Go's where it does the same
	Run      func(p RunParams) (Result, error)
}

// Ratio names a paired comparison: in Workload, Metric of every non-raw
// peer's Variant against the same metric of raw Go's RefVariant, run i
// against run i. The ratio is oriented so that above 1 means worse than
// raw Go.
type Ratio struct {
	Workload, Variant, RefVariant, Metric string
}

// checkPeers panics when extra is not a valid list of peers: a peer
// without a name or named like another, or a case in no known workload.
// A wrong Peer is a bug in the command that passes it.
func checkPeers(extra []Peer) {
	names := slices.Clone(allPeers)
	for _, p := range extra {
		if p.Name == "" || strings.EqualFold(p.Name, "all") || strings.ContainsAny(p.Name, ", \t") ||
			slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, p.Name) }) {
			panic("suite: invalid or duplicate peer name " + `"` + p.Name + `"`)
		}
		names = append(names, p.Name)
		for _, c := range p.Cases {
			if !slices.Contains(workloadNames(), c.Workload) || c.Variant == "" || c.Run == nil {
				panic("suite: peer " + p.Name + ": invalid case " + c.Workload + " " + c.Variant)
			}
		}
		for _, r := range p.Ratios {
			if !slices.Contains(workloadNames(), r.Workload) {
				panic("suite: peer " + p.Name + ": ratio in unknown workload " + r.Workload)
			}
		}
	}
}

// withPeers returns the built-in workloads with the cases and ratios of
// extra added: each workload's cases after its built-in ones, in the order
// of extra, and each ratio not defined yet after the built-in ratios.
func withPeers(extra []Peer) []workload {
	ws := workloads()
	for i := range ws {
		w := &ws[i]
		for _, p := range extra {
			for _, c := range p.Cases {
				if c.Workload == w.name {
					w.cases = append(w.cases, benchCase{peer: p.Name, variant: c.Variant, run: c.Run})
				}
			}
			for _, r := range p.Ratios {
				d := ratioDef{variant: r.Variant, refVariant: r.RefVariant, metric: r.Metric}
				if r.Workload == w.name && !slices.Contains(w.ratios, d) {
					w.ratios = append(w.ratios, d)
				}
			}
		}
	}
	return ws
}

// peerNote returns the note of the named extra peer for workload w, or "".
func peerNote(extra []Peer, peer, w string) string {
	for _, p := range extra {
		if p.Name == peer {
			return p.Notes[w]
		}
	}
	return ""
}
