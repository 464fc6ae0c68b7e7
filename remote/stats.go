package remote

import (
	"cmp"
	"slices"
)

// NodeStats is what a node reports of its transport (see [Node.Stats]).
type NodeStats struct {
	ID          string        `json:"id"`          // the registry id, "" without WithRegistry
	State       string        `json:"state"`       // the connection's state: "CONNECTED", "RECONNECTING", "CLOSED"...
	Server      string        `json:"server"`      // the server connected to, credentials removed
	InMsgs      uint64        `json:"inMsgs"`      // messages received by the connection
	OutMsgs     uint64        `json:"outMsgs"`     // messages sent
	InBytes     uint64        `json:"inBytes"`     // payload bytes received
	OutBytes    uint64        `json:"outBytes"`    // payload bytes sent
	Reconnects  uint64        `json:"reconnects"`  // reconnections so far
	NoticesLost uint64        `json:"noticesLost"` // see Node.NoticesLost
	Members     []Member      `json:"members"`     // the registry's members (nil without WithRegistry)
	Exports     []ExportStats `json:"exports"`     // the node's exports and served names, by name
	Windows     []WindowStats `json:"windows"`     // its at-least-once senders, by name
}

// ExportStats is one export or served name of a node.
type ExportStats struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Pending int    `json:"pending"` // messages received and not yet handed to the channel
	Dropped int    `json:"dropped"` // messages the connection dropped for it (slow consumer), in all
}

// WindowStats is one at-least-once sender of a node.
type WindowStats struct {
	Name    string `json:"name"`
	Unacked int    `json:"unacked"` // events sent and not yet acknowledged
	Window  int    `json:"window"`  // how many it may hold
}

// Stats returns the node's connection counters, the registry's members,
// its exports with their pending and dropped messages, and its
// at-least-once windows. It reads the connection's and subscriptions'
// counters and takes the node's locks briefly; safe for concurrent use,
// also after [Node.Close]. It allocates the slices.
func (n *Node) Stats() NodeStats {
	cs := n.nc.Stats()
	st := NodeStats{
		ID: n.ID(), State: n.nc.Status().String(), Server: n.nc.ConnectedUrlRedacted(),
		InMsgs: cs.InMsgs, OutMsgs: cs.OutMsgs, InBytes: cs.InBytes, OutBytes: cs.OutBytes,
		Reconnects: cs.Reconnects, NoticesLost: n.NoticesLost(),
	}
	if n.reg != nil {
		st.Members, _ = n.Members()
	}
	f := &n.fail
	f.mu.Lock()
	for sub, w := range f.subs {
		e := ExportStats{Name: w.name, Subject: sub.Subject}
		if p, _, err := sub.Pending(); err == nil {
			e.Pending = p
		}
		if d, err := sub.Dropped(); err == nil {
			e.Dropped = d
		}
		st.Exports = append(st.Exports, e)
	}
	senders := slices.Clone(f.senders)
	f.mu.Unlock()
	for _, s := range senders {
		s.mu.Lock()
		st.Windows = append(st.Windows, WindowStats{Name: s.name, Unacked: int(s.next - s.base), Window: s.cfg.Window})
		s.mu.Unlock()
	}
	slices.SortFunc(st.Exports, func(a, b ExportStats) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(st.Windows, func(a, b WindowStats) int { return cmp.Compare(a.Name, b.Name) })
	return st
}
