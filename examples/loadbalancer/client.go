package main

import (
	"math/rand/v2"
	"sync/atomic"

	"github.com/reactors-go/reactors/reactor"
)

// client asks one query at a time, answering from its cache when it can.
// Its state belongs to its reactor.
type client struct {
	index    int
	requests int // queries to make in all
	servers  reactor.Channel[Query]
	heard    *atomic.Int64 // answers received, read by run at the end
	done     chan<- clientDone
	rng      *rand.Rand
	cache    *lru

	stats    clientStats
	current  uint64 // ID of the query awaiting its answer, 0 if none
	reported bool   // done was sent
	drain    *drainRequest
}

// clientDone is a client's report once it has made all its requests; run
// then asks it, through drain, to say when it has heard every answer.
type clientDone struct {
	clientStats
	index int
	drain reactor.Channel[drainRequest]
}

// drainRequest asks a client to signal done once it has heard want
// answers.
type drainRequest struct {
	want int64
	done chan<- struct{}
}

func (c *client) body(r *reactor.Reactor[Response]) {
	drain, err := reactor.Open[drainRequest](r)
	if err != nil {
		panic(err) // a reactor's own connector: fails only this client
	}
	drain.Events().OnEvent(func(d drainRequest) {
		c.drain = &d
		c.checkDrained()
	})
	r.Main().Events().OnEvent(func(resp Response) {
		if resp.ID == 0 { // the start signal
			c.next(drain.Channel())
			return
		}
		c.heard.Add(1)
		c.cache.put(resp.Pattern, len(resp.Matches))
		if resp.ID == c.current {
			c.current = 0
			c.next(drain.Channel())
		}
		c.checkDrained()
	})
}

// next makes requests until one misses the cache (and is sent) or all
// are made.
func (c *client) next(drain reactor.Channel[drainRequest]) {
	for c.current == 0 && c.stats.requests < c.requests {
		c.stats.requests++
		pattern := randomString(c.rng, patternLen)
		if _, ok := c.cache.get(pattern); ok {
			c.stats.hits++
			continue
		}
		c.stats.queries++
		c.current = uint64(c.index)<<32 | uint64(c.stats.requests)
		if err := c.servers.Send(Query{ID: c.current, Pattern: pattern}); err != nil {
			panic(err) // no server: the example cannot go on
		}
	}
	if c.current == 0 && !c.reported {
		c.reported = true
		c.done <- clientDone{clientStats: c.stats, index: c.index, drain: drain} // buffered for every client
	}
}

func (c *client) checkDrained() {
	if c.drain != nil && c.heard.Load() >= c.drain.want {
		c.drain.done <- struct{}{}
		c.drain = nil
	}
}

// lru is a small least-recently-used cache of answer sizes.
type lru struct {
	cap   int
	order []string // least recently used first
	vals  map[string]int
}

func newLRU(n int) *lru { return &lru{cap: n, vals: make(map[string]int, n)} }

func (l *lru) get(k string) (int, bool) {
	v, ok := l.vals[k]
	if ok {
		l.touch(k)
	}
	return v, ok
}

func (l *lru) put(k string, v int) {
	if _, ok := l.vals[k]; ok {
		l.touch(k)
	} else {
		if len(l.order) == l.cap {
			delete(l.vals, l.order[0])
			l.order = l.order[1:]
		}
		l.order = append(l.order, k)
	}
	l.vals[k] = v
}

func (l *lru) touch(k string) {
	for i, o := range l.order {
		if o == k {
			copy(l.order[i:], l.order[i+1:])
			l.order[len(l.order)-1] = k
			return
		}
	}
}
