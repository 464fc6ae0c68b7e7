package dht_test

import (
	"context"
	"fmt"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/reactor"
)

// Reactors.IO's distributed hash table, with 32 shards: put, then get.
func Example() {
	ctx := context.Background()
	sys := reactor.New()
	defer sys.Shutdown(ctx)

	t, err := dht.New[string, string](sys, 32, dht.StringKey)
	if err != nil {
		panic(err)
	}
	defer t.Close(ctx)

	_, _, _ = t.Put(ctx, "morning", "Good morning!")
	prev, had, _ := t.Put(ctx, "morning", "Guten Morgen!")
	fmt.Println(prev, had)
	v, ok, _ := t.Get(ctx, "morning")
	fmt.Println(v, ok)
	_, ok, _ = t.Get(ctx, "evening")
	fmt.Println(ok)
	// Output:
	// Good morning! true
	// Guten Morgen! true
	// false
}

func ExampleTable_CompareAndSwap() {
	ctx := context.Background()
	sys := reactor.New()
	defer sys.Shutdown(ctx)
	t, _ := dht.New[uint64, int](sys, 8, dht.UintKey)
	defer t.Close(ctx)

	_, _, _ = t.Put(ctx, 42, 1)
	// Increment with a compare-and-swap loop.
	for {
		v, _, _ := t.Get(ctx, 42)
		if ok, _ := t.CompareAndSwap(ctx, 42, v, v+1, dht.Equal); ok {
			break
		}
	}
	v, _, _ := t.Get(ctx, 42)
	fmt.Println(v)
	// Output: 2
}

func ExampleTable_GetIn() {
	ctx := context.Background()
	sys := reactor.New()
	defer sys.Shutdown(ctx)
	t, _ := dht.New[string, int](sys, 4, dht.StringKey)
	defer t.Close(ctx)
	_, _, _ = t.Put(ctx, "answer", 42)

	done := make(chan struct{})
	_, _ = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		t.GetIn(r, "answer").Events().OnEvent(func(res dht.Result[int]) {
			fmt.Println(res.Value, res.Found)
			r.Main().Seal()
			close(done)
		})
	})
	<-done
	// Output: 42 true
}

// The shard of a key is frozen: the same in every version.
func ExampleJump() {
	for _, n := range []int{1, 8, 32, 1000} {
		fmt.Print(dht.Jump(dht.StringKey("user-42"), n), " ")
	}
	fmt.Println()
	// Output: 0 2 18 234
}

// Grow a table from 4 to 5 shards while it serves: only the keys the new
// shard takes move, and every value stays readable.
func ExampleTable_Resize() {
	ctx := context.Background()
	sys := reactor.New()
	defer sys.Shutdown(ctx)
	t, _ := dht.New[int, int](sys, 4, dht.IntKey)
	defer t.Close(ctx)

	for k := range 1000 {
		_, _, _ = t.Put(ctx, k, k*k)
	}
	before := make([]int, 1000)
	for k := range before {
		before[k], _ = t.Shard(k)
	}
	if err := t.Resize(ctx, 5); err != nil {
		panic(err)
	}
	moved := 0
	for k := range before {
		if s, _ := t.Shard(k); s != before[k] {
			moved++
		}
	}
	v, _, _ := t.Get(ctx, 999)
	n, _ := t.Len(ctx)
	fmt.Println(t.Shards(), moved, v, n)
	// Output: 5 214 998001 1000
}

// Range reads a consistent snapshot of the whole table.
func ExampleTable_Range() {
	ctx := context.Background()
	sys := reactor.New()
	defer sys.Shutdown(ctx)
	t, _ := dht.New[string, int](sys, 8, dht.StringKey)
	defer t.Close(ctx)

	for i, k := range []string{"a", "b", "c"} {
		_, _, _ = t.Put(ctx, k, i+1)
	}
	sum := 0
	_ = t.Range(ctx, func(k string, v int) bool {
		sum += v
		return true
	})
	fmt.Println(sum)
	// Output: 6
}
