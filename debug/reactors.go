package debug

import (
	"cmp"
	"container/heap"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reactors-go/reactors/reactor"
)

// MaxLimit is the most reactors one /api/reactors request returns.
const MaxLimit = 1000

// query is a parsed /api/reactors request.
type query struct {
	sort   string
	desc   bool
	filter string
	offset int
	limit  int
}

var sortKeys = []string{"name", "id", "state", "depth", "handled", "restarts", "age"}

func parseQuery(v url.Values) (query, error) {
	q := query{sort: "depth", desc: true, limit: 50}
	if s := v.Get("sort"); s != "" {
		if !slices.Contains(sortKeys, s) {
			return q, errors.New("debug: sort must be one of " + strings.Join(sortKeys, ", "))
		}
		q.sort = s
		q.desc = false
	}
	if d := v.Get("desc"); d != "" {
		b, err := strconv.ParseBool(d)
		if err != nil {
			return q, errors.New("debug: desc must be a boolean")
		}
		q.desc = b
	}
	q.filter = v.Get("q")
	var err error
	if q.offset, err = intParam(v, "offset", q.offset, 0, 1<<31-1); err != nil {
		return q, err
	}
	if q.limit, err = intParam(v, "limit", q.limit, 1, MaxLimit); err != nil {
		return q, err
	}
	return q, nil
}

func intParam(v url.Values, name string, def, lo, hi int) (int, error) {
	s := v.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, errors.New("debug: " + name + " must be an integer in [" + strconv.Itoa(lo) + ", " + strconv.Itoa(hi) + "]")
	}
	return n, nil
}

// reactorPage is the JSON of /api/reactors.
type reactorPage struct {
	Total   int          `json:"total"`   // live reactors
	Matched int          `json:"matched"` // of those, matching the filter
	Offset  int          `json:"offset"`
	Rows    []reactorRow `json:"rows"`
}

type reactorRow struct {
	ID         uint64      `json:"id"`
	Name       string      `json:"name"`
	Scheduler  string      `json:"scheduler"`
	State      string      `json:"state"`
	Handled    uint64      `json:"handled"`
	Restarts   int         `json:"restarts"`
	Depth      int         `json:"depth"`
	AgeSeconds *float64    `json:"ageSeconds"` // null without introspection
	Connectors []connector `json:"connectors"`
}

type connector struct {
	Name   string `json:"name"`
	Len    int    `json:"len"`
	Daemon bool   `json:"daemon"`
	Closed bool   `json:"closed"`
}

// reactorsOf reads every live reactor, keeps those whose name contains
// the filter, and returns one page of them in the query's order. It keeps
// only the best offset+limit rows as it goes (a heap), so a page costs
// O(n log(offset+limit)) time and memory for the page alone.
func reactorsOf(sys *reactor.System, q query) reactorPage {
	now := time.Now()
	less := func(a, b *reactorRow) bool { // a comes before b on the page
		c := compareBy(q.sort, *a, *b)
		if q.desc {
			c = -c
		}
		if c == 0 {
			c = cmp.Compare(a.ID, b.ID)
		}
		return c < 0
	}
	keep := q.offset + q.limit
	h := &rowHeap{after: func(a, b *reactorRow) bool { return less(b, a) }}
	total, matched := 0, 0
	for info := range sys.Reactors() {
		total++
		if q.filter != "" && !strings.Contains(info.Name, q.filter) {
			continue
		}
		matched++
		row := reactorRow{
			ID: info.ID, Name: info.Name, Scheduler: info.Scheduler, State: info.State,
			Handled: info.Handled, Restarts: info.Restarts, Depth: info.Depth,
		}
		if !info.Started.IsZero() {
			age := now.Sub(info.Started).Seconds()
			row.AgeSeconds = &age
		}
		if h.Len() == keep && !less(&row, &h.rows[0]) {
			continue // not better than the worst row kept
		}
		row.Connectors = make([]connector, len(info.Connectors))
		for i, c := range info.Connectors {
			row.Connectors[i] = connector(c)
		}
		if h.Len() == keep {
			h.rows[0] = row
			heap.Fix(h, 0)
		} else {
			heap.Push(h, row)
		}
	}
	rows := h.rows
	slices.SortFunc(rows, func(a, b reactorRow) int {
		if less(&a, &b) {
			return -1
		}
		return 1
	})
	page := reactorPage{Total: total, Matched: matched, Offset: q.offset, Rows: []reactorRow{}}
	if q.offset < len(rows) {
		page.Rows = rows[q.offset:]
	}
	return page
}

// rowHeap keeps the rows of a page with the one that comes last on top.
type rowHeap struct {
	rows  []reactorRow
	after func(a, b *reactorRow) bool // a comes after b on the page
}

func (h *rowHeap) Len() int           { return len(h.rows) }
func (h *rowHeap) Less(i, j int) bool { return h.after(&h.rows[i], &h.rows[j]) }
func (h *rowHeap) Swap(i, j int)      { h.rows[i], h.rows[j] = h.rows[j], h.rows[i] }
func (h *rowHeap) Push(x any)         { h.rows = append(h.rows, x.(reactorRow)) }
func (h *rowHeap) Pop() any {
	r := h.rows[len(h.rows)-1]
	h.rows = h.rows[:len(h.rows)-1]
	return r
}

func compareBy(key string, a, b reactorRow) int {
	switch key {
	case "name":
		return cmp.Compare(a.Name, b.Name)
	case "state":
		return cmp.Compare(a.State, b.State)
	case "depth":
		return cmp.Compare(a.Depth, b.Depth)
	case "handled":
		return cmp.Compare(a.Handled, b.Handled)
	case "restarts":
		return cmp.Compare(a.Restarts, b.Restarts)
	case "age":
		return cmp.Compare(ageOf(a), ageOf(b))
	}
	return cmp.Compare(a.ID, b.ID)
}

func ageOf(r reactorRow) float64 {
	if r.AgeSeconds == nil {
		return -1
	}
	return *r.AgeSeconds
}
