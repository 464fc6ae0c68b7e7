package suite

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Peer names.
const (
	peerRaw      = "raw"
	peerReactors = "reactors"
)

// allPeers lists the built-in peers in their canonical order (the order of
// round 0); extra peers follow them in the order given to Main.
var allPeers = []string{peerRaw, peerReactors}

// config is the parsed command line.
type config struct {
	workloads    []string      // selected workload names, in canonical order
	peers        []string      // selected peers, in canonical order
	variants     []string      // selected variant names; nil: all
	extra        []Peer        // the peers given to Main, selected or not
	runs         int           // measured rounds
	scale        float64       // multiplies every message, op and actor count
	chanBuf      int           // W1 raw: capacity of each ping-pong channel
	spawnChanBuf int           // W0 and W6 raw: capacity of each actor's channel
	idleSleep    time.Duration // W0: how long the idle CPU time is measured
	jsonPath     string        // write the results as JSON here too ("" for none)
	svgPath      string        // draw the paired ratios as an SVG chart here ("" for none)
	mdPath       string        // write the tables as Markdown here ("" for none)
	from         string        // with -from: draw -svg and -md from this JSON report; nothing runs
	compare      []string      // with -compare: the old and the new JSON report; nothing runs
}

// peerNames returns the names of the built-in peers, then of extra, in
// canonical order.
func peerNames(extra []Peer) []string {
	names := slices.Clone(allPeers)
	for _, p := range extra {
		names = append(names, p.Name)
	}
	return names
}

// parseFlags parses the command line into a config, with extra as further
// peers; usage and flag errors go to errOut.
func parseFlags(args []string, errOut io.Writer, extra []Peer) (*config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(errOut)
	known := peerNames(extra)
	workloadsFlag := fs.String("workload", "all", "comma-separated workloads ("+strings.Join(workloadNames(), ",")+") or all")
	peersFlag := fs.String("peer", "all", "comma-separated peers ("+strings.Join(known, ",")+") or all")
	variantsFlag := fs.String("variant", "all", "comma-separated variants (such as durable-inprocess) or all")
	cfg := &config{extra: extra}
	fs.IntVar(&cfg.runs, "runs", 5, "measured rounds")
	fs.Float64Var(&cfg.scale, "scale", 1, "multiply every message, op and actor count (for quick tries only)")
	fs.StringVar(&cfg.jsonPath, "json", "", "also write the results as JSON to `FILE`")
	fs.StringVar(&cfg.svgPath, "svg", "", "also draw the paired ratios as an SVG chart to `FILE`")
	fs.StringVar(&cfg.mdPath, "md", "", "also write the ratios and medians as Markdown tables to `FILE`")
	fs.StringVar(&cfg.from, "from", "", "run nothing; draw -svg and -md from the -json report `FILE`")
	compare := fs.Bool("compare", false, "run nothing; compare the ratios of two -json reports given as arguments: -compare OLD.json NEW.json")
	fs.IntVar(&cfg.chanBuf, "chan-buf", 1, "W1 raw: capacity of each ping-pong channel")
	fs.IntVar(&cfg.spawnChanBuf, "spawn-chan-buf", 1, "W0 and W6 raw: capacity of each actor's channel")
	fs.DurationVar(&cfg.idleSleep, "idle-sleep", 2*time.Second, "W0: how long idle CPU time is measured")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case *compare && fs.NArg() != 2:
		return nil, fmt.Errorf("-compare takes two JSON reports, old and new; got %q", fs.Args())
	case *compare:
		cfg.compare = fs.Args()
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	var err error
	if cfg.workloads, err = selectNames("workload", *workloadsFlag, workloadNames()); err != nil {
		return nil, err
	}
	if cfg.peers, err = selectNames("peer", *peersFlag, known); err != nil {
		return nil, err
	}
	if cfg.variants, err = selectNames("variant", *variantsFlag, variantNames(extra)); err != nil {
		return nil, err
	}
	if len(cfg.variants) == len(variantNames(extra)) {
		cfg.variants = nil
	}
	switch {
	case cfg.runs < 1:
		return nil, fmt.Errorf("-runs must be at least 1, got %d", cfg.runs)
	case !(cfg.scale > 0):
		return nil, fmt.Errorf("-scale must be positive, got %v", cfg.scale)
	case cfg.chanBuf < 0 || cfg.spawnChanBuf < 0:
		return nil, fmt.Errorf("channel capacities must not be negative")
	case cfg.idleSleep <= 0:
		return nil, fmt.Errorf("-idle-sleep must be positive, got %v", cfg.idleSleep)
	}
	return cfg, nil
}

// selectNames parses a comma-separated list of names (or "all") against
// known, ignoring case, and returns the selection as known spells it, in
// the order of known.
func selectNames(what, list string, known []string) ([]string, error) {
	var picked []string
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if strings.EqualFold(s, "all") {
			return slices.Clone(known), nil
		}
		i := slices.IndexFunc(known, func(k string) bool { return strings.EqualFold(k, s) })
		if i < 0 {
			return nil, fmt.Errorf("unknown %s %q (known: %s, all)", what, s, strings.Join(known, ","))
		}
		picked = append(picked, known[i])
	}
	var out []string
	for _, k := range known {
		if slices.Contains(picked, k) {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no %s selected", what)
	}
	return out, nil
}
