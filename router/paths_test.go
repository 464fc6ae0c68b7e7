package router_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

// tap is a forwarding channel that records what it is sent, so path tests
// see every delivery synchronously.
type tap struct {
	name string
	mu   sync.Mutex
	got  []int
}

func (t *tap) Send(v int) error {
	t.mu.Lock()
	t.got = append(t.got, v)
	t.mu.Unlock()
	return nil
}

func (t *tap) Name() string { return t.name }

func (t *tap) values() []int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]int(nil), t.got...)
}

// tree registers a tap at each path and returns the taps by path.
func tree(t *testing.T, p *router.Paths[int], paths ...string) map[string]*tap {
	t.Helper()
	taps := map[string]*tap{}
	for _, path := range paths {
		tp := &tap{name: path}
		require.NoError(t, p.Register(path, reactor.ChannelOf[int](tp)))
		taps[path] = tp
	}
	return taps
}

// deadSys returns a system whose dead letters arrive on the channel.
func deadSys(t *testing.T) (*reactor.System, chan reactor.DeadLetter) {
	dead := make(chan reactor.DeadLetter, 100)
	return newSys(t, reactor.WithDeadLetterHandler(func(d reactor.DeadLetter) { dead <- d })), dead
}

func TestPathsGrammar(t *testing.T) {
	long := strings.Repeat("a", router.MaxPathLen+1)
	for _, tc := range []struct {
		path     string
		register bool // valid for Register
		send     bool // valid as a send path
	}{
		{"a", true, true},
		{"a/b/c", true, true},
		{"ünï/κόσμος", true, true},
		{"a.b-c_d:e", true, true},
		{"a/*", false, true},
		{"a/?", false, true},
		{"*", false, true},
		{"?", false, true},
		{"", false, false},
		{"/a", false, false},
		{"a/", false, false},
		{"a//b", false, false},
		{"a/*/b", false, false},
		{"a/**", false, false},
		{"a*", false, false},
		{"a?/b", false, false},
		{"a#b", false, false},
		{"a b", false, false},
		{"a\tb", false, false},
		{"a\x00", false, false},
		{"a\u00a0b", false, false}, // no-break space
		{"a\u0085", false, false},  // next line (control)
		{"\xff", false, false},
		{long, false, false},
		{"*/a", false, false},
	} {
		t.Run(fmt.Sprintf("%.20q", tc.path), func(t *testing.T) {
			sys, _ := deadSys(t)
			p := router.NewPaths[int](sys, router.ImplicitRoutes())
			err := p.Register(tc.path, reactor.ChannelOf[int](&tap{name: "x"}))
			if tc.register {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, router.ErrBadPath)
			}
			_, err = p.Channel(tc.path)
			if tc.send {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, router.ErrBadPath)
				require.ErrorIs(t, p.Send(tc.path, 1), router.ErrBadPath)
				require.ErrorIs(t, p.SetPolicy(tc.path, router.RoundRobin[int]()), router.ErrBadPath)
			}
		})
	}
}

func TestPathsEntries(t *testing.T) {
	sys, _ := deadSys(t)
	p := router.NewPaths[int](sys)
	ch := reactor.ChannelOf[int](&tap{name: "a"})
	require.NoError(t, p.Register("a/b", ch))
	require.ErrorIs(t, p.Register("a/b", ch), router.ErrPathTaken, "duplicate channel")
	require.ErrorIs(t, p.SetPolicy("a/b", router.RoundRobin[int]()), router.ErrPathTaken, "policy on a channel")
	require.ErrorIs(t, p.Register("x", reactor.Channel[int]{}), reactor.ErrNilChannel)
	require.Error(t, p.SetPolicy("x", nil))

	require.NoError(t, p.SetPolicy("a", router.RoundRobin[int]()))
	require.NoError(t, p.SetPolicy("a", router.Broadcast[int]()), "a policy replaces a policy")
	require.ErrorIs(t, p.Register("a", ch), router.ErrPathTaken, "channel on a policy")
	require.NoError(t, p.Replace("a", ch), "Replace takes any entry")
	got, err := p.Members("a")
	require.NoError(t, err)
	require.Equal(t, []string{"a"}, got)

	require.NoError(t, p.Unregister("a"))
	require.ErrorIs(t, p.Unregister("a"), reactor.ErrNotFound)
	require.ErrorIs(t, p.Unregister("nothing/here"), reactor.ErrNotFound)
	got, err = p.Members("a/b")
	require.NoError(t, err, "unregistering a keeps a/b")
	require.Equal(t, []string{"a/b"}, got)
	require.NoError(t, p.Unregister("a/b"))
	_, err = p.Members("a/b")
	require.ErrorIs(t, err, router.ErrNoRoute)
}

func TestPathsSendErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy router.Policy[int] // at "g", if any
		path   string
		want   error
	}{
		{"unknown path", nil, "nope", router.ErrNoRoute},
		{"marker on a channel", nil, "g/a/*", router.ErrNotGroup},
		{"select marker on a channel", nil, "g/a/?", router.ErrNotGroup},
		{"bare group path without policy", nil, "g", router.ErrNoRoute},
		{"implicit off", nil, "g/*", router.ErrNoRoute},
		{"implicit off, whole tree", nil, "*", router.ErrNoRoute},
		{"select on broadcast policy", router.Broadcast[int](), "g/?", router.ErrPolicyKind},
		{"broadcast on select policy", router.RoundRobin[int](), "g/*", router.ErrPolicyKind},
		{"empty group", router.RoundRobin[int](), "g/empty/?", router.ErrNoRoute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys, dead := deadSys(t)
			p := router.NewPaths[int](sys)
			taps := tree(t, p, "g/a", "g/b")
			if tc.policy != nil {
				require.NoError(t, p.SetPolicy("g", tc.policy))
				require.NoError(t, p.SetPolicy("g/empty", tc.policy))
			}
			require.ErrorIs(t, p.Send(tc.path, 42), tc.want)
			d := <-dead // DeadLetter runs the handler before Send returns
			require.Equal(t, reactor.DeadLetter{Channel: tc.path, Reason: reactor.ReasonNoRoute, Event: 42}, d)
			_, err := p.Members(tc.path)
			require.ErrorIs(t, err, tc.want)
			require.Empty(t, taps["g/a"].values())
			require.Empty(t, taps["g/b"].values())
		})
	}
}

// TestPathsRouting covers the successful sends: a channel's path, explicit
// policies with and without markers, implicit routes, nested groups.
func TestPathsRouting(t *testing.T) {
	sys, _ := deadSys(t)
	p := router.NewPaths[int](sys)
	taps := tree(t, p, "srv/s1", "srv/s2", "srv/eu/s3", "cli/c1", "cli/c2")

	require.NoError(t, p.Send("srv/s1", 1))
	require.Equal(t, []int{1}, taps["srv/s1"].values())

	// Select: the whole subtree, sorted by path, round-robin exactly.
	require.NoError(t, p.SetPolicy("srv", router.RoundRobin[int]()))
	members, err := p.Members("srv/?")
	require.NoError(t, err)
	require.Equal(t, []string{"srv/eu/s3", "srv/s1", "srv/s2"}, members)
	for i := range 6 {
		path := "srv/?"
		if i%2 == 1 {
			path = "srv" // transparent: the bare path routes too
		}
		require.NoError(t, p.Send(path, 10+i))
	}
	require.Equal(t, []int{10, 13}, taps["srv/eu/s3"].values())
	require.Equal(t, []int{1, 11, 14}, taps["srv/s1"].values())
	require.Equal(t, []int{12, 15}, taps["srv/s2"].values())

	// A policy inside the group: its members stay members of the outer one.
	require.NoError(t, p.SetPolicy("srv/eu", router.Broadcast[int]()))
	members, err = p.Members("srv")
	require.NoError(t, err)
	require.Equal(t, []string{"srv/eu/s3", "srv/s1", "srv/s2"}, members)

	// Broadcast: one copy per member.
	require.NoError(t, p.SetPolicy("cli", router.Broadcast[int]()))
	require.NoError(t, p.Send("cli/*", 7))
	require.NoError(t, p.Send("cli", 8))
	require.Equal(t, []int{7, 8}, taps["cli/c1"].values())
	require.Equal(t, []int{7, 8}, taps["cli/c2"].values())
}

func TestPathsImplicitRoutes(t *testing.T) {
	sys, _ := deadSys(t)
	p := router.NewPaths[int](sys, router.ImplicitRoutes())
	taps := tree(t, p, "g/a", "g/b", "g/c/d", "h")

	require.NoError(t, p.Send("g/*", 1))
	for _, path := range []string{"g/a", "g/b", "g/c/d"} {
		require.Equal(t, []int{1}, taps[path].values(), path)
	}
	require.Empty(t, taps["h"].values())

	for i := range 6 {
		require.NoError(t, p.Send("g/?", 10+i))
	}
	require.Equal(t, []int{1, 10, 13}, taps["g/a"].values())
	require.Equal(t, []int{1, 11, 14}, taps["g/b"].values())
	require.Equal(t, []int{1, 12, 15}, taps["g/c/d"].values())

	// A marker alone reaches the whole tree: the reason it is off by default.
	require.NoError(t, p.Send("*", 2))
	require.Equal(t, []int{2}, taps["h"].values())
	members, err := p.Members("*")
	require.NoError(t, err)
	require.Equal(t, []string{"g/a", "g/b", "g/c/d", "h"}, members)

	// Implicit routing does not relax the other rules.
	require.ErrorIs(t, p.Send("g", 3), router.ErrNoRoute)
	require.ErrorIs(t, p.Send("h/*", 3), router.ErrNotGroup)
	require.NoError(t, p.SetPolicy("g", router.RoundRobin[int]()))
	require.ErrorIs(t, p.Send("g/*", 3), router.ErrPolicyKind)
}

// TestPathsMemberOrder: the group's order is the sorted order of paths,
// whatever the order of registration.
func TestPathsMemberOrder(t *testing.T) {
	var paths []string
	for i := range 50 {
		paths = append(paths, fmt.Sprintf("g/%c/%d", 'a'+i%7, i))
	}
	want := append([]string(nil), paths...)
	// Segment-wise byte order equals whole-string order here: no segment is
	// a prefix of a sibling followed by a byte below '/'.
	slices.Sort(want)
	for seed := range uint64(5) {
		sys, _ := deadSys(t)
		p := router.NewPaths[int](sys, router.ImplicitRoutes())
		shuffled := append([]string(nil), paths...)
		rand.New(rand.NewPCG(seed, 1)).Shuffle(len(shuffled), func(i, j int) {
			shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
		})
		tree(t, p, shuffled...)
		got, err := p.Members("g/?")
		require.NoError(t, err)
		require.Equal(t, want, got, "seed %d", seed)
	}
}

// TestPathsChangesOrderedWithSends: a send that starts after a
// registration method returns sees its effect, through Send and through a
// channel made before the change.
func TestPathsChangesOrderedWithSends(t *testing.T) {
	sys, _ := deadSys(t)
	p := router.NewPaths[int](sys)
	require.NoError(t, p.SetPolicy("g", router.Broadcast[int]()))
	ch, err := p.Channel("g/*")
	require.NoError(t, err)
	require.ErrorIs(t, ch.Send(0), router.ErrNoRoute, "empty group")

	var taps []*tap
	for i := range 20 {
		tp := &tap{name: fmt.Sprint(i)}
		require.NoError(t, p.Register(fmt.Sprintf("g/m%02d", i), reactor.ChannelOf[int](tp)))
		taps = append(taps, tp)
		require.NoError(t, ch.Send(i+1))
		require.NoError(t, p.Send("g", -(i+1)))
	}
	for i, tp := range taps {
		var want []int
		for j := i + 1; j <= 20; j++ {
			want = append(want, j, -j)
		}
		require.Equal(t, want, tp.values(), "member %d gets every send after its registration", i)
	}
	for i := range 19 {
		require.NoError(t, p.Unregister(fmt.Sprintf("g/m%02d", i)))
		require.NoError(t, ch.Send(100), "members left: %d", 19-i)
	}
	require.Len(t, taps[19].values(), 2+19)
	require.Len(t, taps[0].values(), 40)
}

// TestPathsRoundRobinAcrossChanges: the policy is shared by every version
// of the tree, so its cycle goes on when a member is added.
func TestPathsRoundRobinAcrossChanges(t *testing.T) {
	sys, _ := deadSys(t)
	p := router.NewPaths[int](sys)
	require.NoError(t, p.SetPolicy("g", router.RoundRobin[int]()))
	taps := tree(t, p, "g/a", "g/b")
	require.NoError(t, p.Send("g", 0))
	tree(t, p, "g/c")
	for i := 1; i <= 6; i++ {
		require.NoError(t, p.Send("g", i))
	}
	// Picks 0..6 over (a,b) then (a,b,c): a, then 1%3=b, c, a, b, c, a.
	require.Equal(t, []int{0, 3, 6}, taps["g/a"].values())
	require.Equal(t, []int{1, 4}, taps["g/b"].values())
}

func TestPathsConcurrent(t *testing.T) {
	sys, _ := deadSys(t)
	p := router.NewPaths[int](sys, router.ImplicitRoutes())
	stable := tree(t, p, "g/stable")
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := range 300 {
				path := fmt.Sprintf("g/w%d/%d", w, i%10)
				if i%20 < 10 {
					_ = p.Register(path, reactor.ChannelOf[int](&tap{name: path}))
				} else {
					_ = p.Unregister(path)
				}
			}
		})
	}
	const sends = 2000
	for range 2 {
		wg.Go(func() {
			for i := range sends {
				require.NoError(t, p.Send("g/*", i))
			}
		})
	}
	wg.Wait()
	require.Len(t, stable["g/stable"].values(), 2*sends)
}

// counter is a forwarding target that counts sends without allocating.
type counter[T any] struct{ n atomic.Int64 }

func (c *counter[T]) Send(T) error { c.n.Add(1); return nil }
func (c *counter[T]) Name() string { return "counter" }

func TestPathsSendAllocs(t *testing.T) {
	sys, _ := deadSys(t)
	p := router.NewPaths[int](sys)
	require.NoError(t, p.SetPolicy("srv", router.RoundRobin[int]()))
	var c1, c2 counter[int]
	require.NoError(t, p.Register("srv/s1", reactor.ChannelOf[int](&c1)))
	require.NoError(t, p.Register("srv/eu/s2", reactor.ChannelOf[int](&c2)))
	ch, err := p.Channel("srv/?")
	require.NoError(t, err)
	require.NoError(t, ch.Send(0)) // build the group and the walk once
	allocs := testing.AllocsPerRun(100, func() {
		_ = p.Send("srv/?", 1)
		_ = p.Send("srv/eu/s2", 1)
		_ = ch.Send(2)
	})
	require.Zero(t, allocs)
	require.Equal(t, int64(1+101*3), c1.n.Load()+c2.n.Load())
}
