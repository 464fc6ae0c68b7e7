package debug

import (
	"sort"
	"time"

	"github.com/reactors-go/reactors/reactor"
)

// overview is the JSON of /api/overview.
type overview struct {
	Time          time.Time         `json:"time"`
	Introspection bool              `json:"introspection"`
	Reactors      int               `json:"reactors"`
	Spawned       uint64            `json:"spawned"`
	Failures      uint64            `json:"failures"`
	Restarts      uint64            `json:"restarts"`
	Handled       uint64            `json:"handled"` // events handled by the live reactors
	Depth         int               `json:"depth"`   // events waiting in their mailboxes
	DeadLetters   uint64            `json:"deadLetters"`
	ByReason      map[string]uint64 `json:"byReason"`
	Recent        []deadLetter      `json:"recent"`
	Workers       []worker          `json:"workers"`
	GlobalQueue   int               `json:"globalQueue"`
	Flows         []flow            `json:"flows"`
	FlowSample    int               `json:"flowSample"`
	Panels        []panelData       `json:"panels"`
}

type deadLetter struct {
	Time    time.Time `json:"time"`
	Channel string    `json:"channel"`
	Reason  string    `json:"reason"`
	Type    string    `json:"type"`
}

type worker struct {
	Queue  int    `json:"queue"`
	Turns  uint64 `json:"turns"`
	Steals uint64 `json:"steals"`
	Parks  uint64 `json:"parks"`
	Parked bool   `json:"parked"`
}

type flow struct {
	From     uint64 `json:"from"`
	To       uint64 `json:"to"`
	FromName string `json:"fromName"`
	ToName   string `json:"toName"`
	Sampled  uint64 `json:"sampled"`
}

type panelData struct {
	Title string `json:"title"`
	Data  any    `json:"data"`
}

func overviewOf(sys *reactor.System, panels []panel) overview {
	st := sys.Stats()
	o := overview{
		Time:        time.Now(),
		Spawned:     st.Spawned,
		Failures:    st.Failures,
		Restarts:    st.Restarts,
		ByReason:    map[string]uint64{},
		GlobalQueue: st.GlobalQueue,
		FlowSample:  reactor.FlowSample,
		Recent:      []deadLetter{},
		Flows:       []flow{},
		Panels:      []panelData{},
	}
	for r, n := range st.DeadLetters {
		o.ByReason[r.String()] = n
		o.DeadLetters += n
	}
	for _, w := range st.Workers {
		o.Workers = append(o.Workers, worker(w))
	}
	for info := range sys.Reactors() {
		o.Reactors++
		o.Handled += info.Handled
		o.Depth += info.Depth
	}
	recent, _ := sys.RecentDeadLetters()
	o.Introspection = sys.Introspection()
	for _, d := range recent {
		o.Recent = append(o.Recent, deadLetter{d.Time, d.Channel, d.Reason.String(), d.Type})
	}
	for _, f := range sys.Flows() {
		o.Flows = append(o.Flows, flow(f))
	}
	sort.Slice(o.Flows, func(i, j int) bool { return o.Flows[i].Sampled > o.Flows[j].Sampled })
	for _, p := range panels {
		o.Panels = append(o.Panels, p.read())
	}
	return o
}

func (p panel) read() panelData {
	return panelData{Title: p.title, Data: p.snapshot()}
}
