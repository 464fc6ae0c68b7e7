package suite

import (
	"flag"
	"fmt"
	"io"
)

// Main runs the bench command: args is the command line without the
// program name (the flags of BENCHMARKS.md, "The bench command", plus
// -svg and -compare), and extra are further peers measured beside raw Go
// and this framework. The report goes to stdout, progress notes and
// errors to stderr. With -compare OLD NEW it runs nothing and prints the
// comparison of two JSON reports instead. Main returns the command's exit
// status: 0, 1 when a run failed its check or a file could not be read or
// written, 2 for a bad command line. It panics when extra is invalid (see
// Peer).
func Main(args []string, stdout, stderr io.Writer, extra ...Peer) int {
	checkPeers(extra)
	cfg, err := parseFlags(args, stderr, extra)
	if err != nil {
		if err != flag.ErrHelp {
			fmt.Fprintln(stderr, "bench:", err)
		}
		return 2
	}
	if cfg.compare != nil {
		if err := runCompare(cfg.compare[0], cfg.compare[1], stdout); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		return 0
	}
	if cfg.from != "" {
		if err := render(cfg); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		return 0
	}
	ok, err := runSuite(cfg, stdout, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	if !ok {
		return 1
	}
	return 0
}
