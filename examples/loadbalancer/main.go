// Command loadbalancer is Kompact's path-routing example. Query servers
// share an immutable "database" of random strings and sit under the path
// "server", whose round-robin policy spreads the queries sent to
// "server/?". Clients send queries (short patterns to find as
// substrings) one at a time; servers answer through the broadcast path
// "client/*", so every client caches every answer and later finds some of
// its own queries in the cache. At the end each server prints how many
// queries it handled (the balance) and each client its cache hits.
//
//	go run ./examples/loadbalancer [-servers 3] [-clients 12] [-requests 200]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"sync/atomic"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

func main() {
	var cfg config
	flag.IntVar(&cfg.servers, "servers", 3, "query servers behind server/?")
	flag.IntVar(&cfg.clients, "clients", 12, "clients under client/*")
	flag.IntVar(&cfg.requests, "requests", 200, "queries per client (cached or not)")
	flag.IntVar(&cfg.dbSize, "db", 10000, "database entries")
	flag.Uint64Var(&cfg.seed, "seed", 1, "random seed for the database and the patterns")
	flag.Parse()
	if _, err := run(os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "loadbalancer:", err)
		os.Exit(1)
	}
}

// Sizes from the Kompact example.
const (
	entryLen   = 20 // characters per database entry
	patternLen = 2  // characters per query pattern
	cacheSize  = 20 // answers each client keeps
)

type config struct {
	servers, clients, requests, dbSize int
	seed                               uint64
}

// Query asks a server for the database entries containing Pattern.
type Query struct {
	ID      uint64
	Pattern string
}

// Response answers a Query; every client hears every Response.
type Response struct {
	ID      uint64
	Pattern string
	Matches []string
}

// stats is what run measured.
type stats struct {
	handled []int64       // per server
	clients []clientStats // per client
}

type clientStats struct {
	requests, hits, queries int
	heard                   int64 // responses received through client/*
}

// run starts the servers and clients, waits until every client has made
// its requests and heard every answer, and prints the statistics.
func run(w io.Writer, cfg config) (stats, error) {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())

	servers := router.NewPaths[Query](sys)
	clients := router.NewPaths[Response](sys)
	// Explicit policies: implicit routing is off by default.
	if err := servers.SetPolicy("server", router.RoundRobin[Query]()); err != nil {
		return stats{}, err
	}
	if err := clients.SetPolicy("client", router.Broadcast[Response]()); err != nil {
		return stats{}, err
	}
	toServers, err := servers.Channel("server/?")
	if err != nil {
		return stats{}, err
	}
	toClients, err := clients.Channel("client/*")
	if err != nil {
		return stats{}, err
	}

	db := database(rand.New(rand.NewPCG(cfg.seed, 0)), cfg.dbSize)
	st := stats{handled: make([]int64, cfg.servers), clients: make([]clientStats, cfg.clients)}
	handled := make([]atomic.Int64, cfg.servers)
	for i := range cfg.servers {
		ch, err := reactor.Spawn(sys, server(db, &handled[i], toClients))
		if err != nil {
			return stats{}, err
		}
		if err := servers.Register(fmt.Sprintf("server/server-%d", i), ch); err != nil {
			return stats{}, err
		}
	}

	// Clients register before they start asking, so that every one of
	// them hears every answer.
	done := make(chan clientDone, cfg.clients)
	start := make([]reactor.Channel[Response], cfg.clients)
	heard := make([]atomic.Int64, cfg.clients)
	for i := range cfg.clients {
		c := &client{
			index: i, requests: cfg.requests, servers: toServers, heard: &heard[i], done: done,
			rng: rand.New(rand.NewPCG(cfg.seed, uint64(i)+1)), cache: newLRU(cacheSize),
		}
		ch, err := reactor.Spawn(sys, c.body)
		if err != nil {
			return stats{}, err
		}
		if err := clients.Register(fmt.Sprintf("client/client-%d", i), ch); err != nil {
			return stats{}, err
		}
		start[i] = ch
	}
	for _, ch := range start {
		if err := ch.Send(Response{}); err != nil { // ID 0: start asking
			return stats{}, err
		}
	}

	// Wait for every client's requests, then for every answer to reach
	// every client.
	var reports []clientDone
	queries := 0
	for range cfg.clients {
		d := <-done
		reports = append(reports, d)
		queries += d.queries
	}
	wait := make(chan struct{}, cfg.clients)
	for _, d := range reports {
		if err := d.drain.Send(drainRequest{want: int64(queries), done: wait}); err != nil {
			return stats{}, err
		}
	}
	for range cfg.clients {
		<-wait
	}

	fmt.Fprintf(w, "servers (round-robin through server/?):\n")
	for i := range handled {
		st.handled[i] = handled[i].Load()
		fmt.Fprintf(w, "  server/server-%d handled %d queries\n", i, st.handled[i])
	}
	fmt.Fprintf(w, "clients (answers cached from client/*):\n")
	for _, d := range reports {
		d.clientStats.heard = heard[d.index].Load()
		st.clients[d.index] = d.clientStats
	}
	for i, c := range st.clients {
		fmt.Fprintf(w, "  client/client-%d: %d requests, %d from cache (%.1f%%), %d answers heard\n",
			i, c.requests, c.hits, 100*float64(c.hits)/float64(max(c.requests, 1)), c.heard)
	}
	return st, nil
}

// server returns the body of a query server: it answers each query with
// the matching entries, through the broadcast path.
func server(db []string, handled *atomic.Int64, toClients reactor.Channel[Response]) func(*reactor.Reactor[Query]) {
	return func(r *reactor.Reactor[Query]) {
		r.Main().Events().OnEvent(func(q Query) {
			var matches []string
			for _, e := range db {
				if strings.Contains(e, q.Pattern) {
					matches = append(matches, e)
				}
			}
			handled.Add(1)
			if err := toClients.Send(Response{ID: q.ID, Pattern: q.Pattern, Matches: matches}); err != nil {
				r.Log().Warn().Err(err).Msg("answer not delivered to every client")
			}
		})
	}
}

const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randomString(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

func database(rng *rand.Rand, n int) []string {
	db := make([]string, n)
	for i := range db {
		db[i] = randomString(rng, entryLen)
	}
	return db
}
