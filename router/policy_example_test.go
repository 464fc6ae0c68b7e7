package router_test

import (
	"fmt"

	"github.com/reactors-go/reactors/router"
)

// workers returns the member set of three targets, as a router with
// targets w0#main, w1#main and w2#main would pass to its policy.
func workers() *router.Members {
	return router.NewMembers(router.KeyOf("w0#main"), router.KeyOf("w1#main"), router.KeyOf("w2#main"))
}

func ExampleRoundRobin() {
	p := router.RoundRobin[string]()
	m := workers()
	var picks []int
	for _, ev := range []string{"a", "b", "c", "d", "e"} {
		picks = append(picks, p.Pick(ev, m))
	}
	fmt.Println(picks)
	fmt.Println(p.Pick("f", router.NewMembers()) == router.None)
	// Output:
	// [0 1 2 0 1]
	// true
}

func ExampleRandom() {
	// A deterministic source for the example; nil means math/rand/v2.
	next := 0
	p := router.Random[string](func(n int) int { next = (next + 2) % n; return next })
	m := workers()
	fmt.Println(p.Pick("a", m), p.Pick("b", m), p.Pick("c", m))
	// Output:
	// 2 1 0
}

func ExampleHash() {
	type order struct {
		customer uint64
		item     string
	}
	// All orders of one customer go to the same worker.
	p := router.Hash(func(o order) uint64 { return o.customer })
	m := workers()
	fmt.Println(p.Pick(order{42, "tea"}, m), p.Pick(order{42, "milk"}, m), p.Pick(order{7, "tea"}, m))
	// Output:
	// 0 0 2
}

func ExampleHashString() {
	p := router.HashString(func(user string) string { return user })
	fmt.Println(p.Pick("user-42", workers()))
	// Output:
	// 2
}

func ExampleDeficitRoundRobin() {
	// Events cost their length; each worker gets a quantum of 4 per turn.
	p := router.DeficitRoundRobin(4, func(s string) int { return len(s) })
	m := workers()
	var picks []int
	total := make([]int, m.Len())
	for _, ev := range []string{"aaaa", "b", "cc", "dddddd", "e", "ff", "ggg", "h", "iiii", "jj", "k", "llllll"} {
		i := p.Pick(ev, m)
		picks = append(picks, i)
		total[i] += len(ev)
	}
	fmt.Println("picks:", picks)
	fmt.Println("cost per worker:", total)
	// Output:
	// picks: [0 0 0 1 1 2 2 2 0 1 1 2]
	// cost per worker: [11 10 12]
}

func ExampleBroadcast() {
	p := router.Broadcast[string]()
	fmt.Println(p.Pick("hello", workers()) == router.All)
	fmt.Println(p.Pick("hello", router.NewMembers()) == router.None)
	// Output:
	// true
	// true
}

func ExampleConsistentHash() {
	key := func(user uint64) uint64 { return user }
	three := workers()
	four := router.NewMembers(router.KeyOf("w0#main"), router.KeyOf("w1#main"), router.KeyOf("w2#main"), router.KeyOf("w3#main"))
	// Two routers, one policy each: with three workers and with four.
	before, after := router.ConsistentHash(key, 100), router.ConsistentHash(key, 100)
	// Adding w3 moves a few keys, all of them to w3.
	for user := range uint64(12) {
		fmt.Printf("user %d: w%d -> w%d\n", user, before.Pick(user, three), after.Pick(user, four))
	}
	// Output:
	// user 0: w0 -> w3
	// user 1: w0 -> w0
	// user 2: w0 -> w0
	// user 3: w0 -> w0
	// user 4: w0 -> w0
	// user 5: w2 -> w2
	// user 6: w1 -> w1
	// user 7: w2 -> w2
	// user 8: w0 -> w0
	// user 9: w1 -> w1
	// user 10: w1 -> w1
	// user 11: w0 -> w3
}

func ExampleWeighted() {
	m := workers()
	weights := map[uint64]int{m.Key(0): 5, m.Key(1): 1, m.Key(2): 1}
	p := router.Weighted[string](func(key uint64) int { return weights[key] })
	var picks []int
	for range 7 {
		picks = append(picks, p.Pick("job", m))
	}
	fmt.Println(picks)
	// Output:
	// [0 0 1 0 2 0 0]
}
