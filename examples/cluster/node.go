package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// nodeKey is key j of node id in the one-node-per-process mode.
func nodeKey(id string, j int) string { return fmt.Sprintf("%s/item-%d", id, j) }

// nodeStats is what one node of a cluster saw, for the test.
type nodeStats struct {
	members []string       // the members it waited for
	placed  map[string]int // keys per holder, over every member's keys
	bad     int            // reads that did not return the key's value
}

// poll is how often a node looks at the table while it waits for the
// others.
const poll = 10 * time.Millisecond

// runNode runs one node of a cluster against cfg.url: it joins, waits for
// cfg.nodes members, puts its keys, waits until the table holds every
// member's keys, reads them all, prints where they live and leaves.
func runNode(ctx context.Context, out io.Writer, cfg config) (*nodeStats, error) {
	if cfg.id == "" {
		return nil, errors.New("-url needs -id, this node's id")
	}
	nd, err := join(ctx, cfg.url, cfg.id)
	if err != nil {
		return nil, err
	}
	defer func() { _ = nd.leave(ctx) }()
	st := &nodeStats{placed: map[string]int{}}
	fmt.Fprintf(out, "%s joined; waiting for %d members\n", cfg.id, cfg.nodes)
	if err := waitUntil(ctx, func() (bool, error) {
		st.members = nd.table.Members()
		return len(st.members) >= cfg.nodes, nil
	}); err != nil {
		return nil, err
	}
	for j := range cfg.keys {
		if _, _, err := nd.table.Put(ctx, nodeKey(cfg.id, j), j); err != nil {
			return nil, err
		}
	}
	want := len(st.members) * cfg.keys
	fmt.Fprintf(out, "%s put %d keys; waiting for all %d\n", cfg.id, cfg.keys, want)
	if err := waitUntil(ctx, func() (bool, error) {
		n, err := nd.table.Len(ctx)
		return n >= want, err
	}); err != nil {
		return nil, err
	}
	for _, id := range st.members {
		for j := range cfg.keys {
			v, ok, err := nd.table.Get(ctx, nodeKey(id, j))
			if err != nil {
				return nil, err
			}
			if !ok || v != j {
				st.bad++
			}
			o, _ := nd.table.Owner(nodeKey(id, j))
			st.placed[o]++
		}
	}
	fmt.Fprintf(out, "%s read all %d keys back (%d wrong reads)\n", cfg.id, want, st.bad)
	for _, id := range st.members {
		fmt.Fprintf(out, "  %-8s holds %4d keys\n", id, st.placed[id])
	}
	return st, nil
}

// waitUntil calls ok every poll until it returns true or an error, or ctx
// ends.
func waitUntil(ctx context.Context, ok func() (bool, error)) error {
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		done, err := ok()
		if err != nil || done {
			return err
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}
