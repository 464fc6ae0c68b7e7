package dht_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/reactor"
)

// TestInForms chains the In forms inside a reactor: put, get, swap,
// count, delete, each started when the previous one completed.
func TestInForms(t *testing.T) {
	sys, failures := newSystem(t)
	tb := newTable(t, sys, 4)
	_, _, err := tb.Put(context.Background(), "other", 7)
	require.NoError(t, err)

	type event struct {
		what string
		r    dht.Result[int]
		ok   bool
		n    int
	}
	got := make(chan event, 16)
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		tb.PutIn(r, "k", 1).Events().OnEvent(func(p dht.Result[int]) {
			got <- event{what: "put", r: p}
			tb.PutIn(r, "k", 2).Events().OnEvent(func(p dht.Result[int]) {
				got <- event{what: "put again", r: p}
				tb.GetIn(r, "k").Events().OnEvent(func(g dht.Result[int]) {
					got <- event{what: "get", r: g}
					tb.CompareAndSwapIn(r, "k", 2, 3, dht.Equal).Events().OnEvent(func(ok bool) {
						got <- event{what: "cas", ok: ok}
						tb.LenIn(r).Events().OnEvent(func(n int) {
							got <- event{what: "len", n: n}
							tb.DeleteIn(r, "k").Events().OnEvent(func(d dht.Result[int]) {
								got <- event{what: "delete", r: d}
								tb.GetIn(r, "k").Events().OnEvent(func(g dht.Result[int]) {
									got <- event{what: "get gone", r: g}
									tb.CompareAndSwapIn(r, "k", 0, 1, nil).Events().OnError(func(err error) {
										got <- event{what: "nil eq", ok: errors.Is(err, dht.ErrNilFunc)}
										r.Main().Seal()
									})
								})
							})
						})
					})
				})
			})
		})
	})
	require.NoError(t, err)
	for _, want := range []event{
		{what: "put", r: dht.Result[int]{Value: 0, Found: false}},
		{what: "put again", r: dht.Result[int]{Value: 1, Found: true}},
		{what: "get", r: dht.Result[int]{Value: 2, Found: true}},
		{what: "cas", ok: true},
		{what: "len", n: 2},
		{what: "delete", r: dht.Result[int]{Value: 3, Found: true}},
		{what: "get gone", r: dht.Result[int]{}},
		{what: "nil eq", ok: true},
	} {
		require.Equal(t, want, <-got)
	}
	requireContents(t, tb, map[string]int{"other": 7}, "k")
	require.Zero(t, failures.Load())
}

// TestInFormsUserPanic: a panicking equality fails the IVar with
// ErrUserPanic; a panicking key function likewise, before anything is
// sent.
func TestInFormsUserPanic(t *testing.T) {
	sys, failures := newSystem(t)
	tb, err := dht.New[string, int](sys, 2, func(k string) uint64 {
		if k == "boom" {
			panic("bad key")
		}
		return dht.StringKey(k)
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tb.Close(context.Background())) })
	_, _, err = tb.Put(context.Background(), "k", 1)
	require.NoError(t, err)

	errs := make(chan error, 2)
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		tb.GetIn(r, "boom").Events().OnError(func(err error) { errs <- err })
		tb.CompareAndSwapIn(r, "k", 1, 2, func(a, b int) bool { panic("bad equality") }).
			Events().OnError(func(err error) { errs <- err; r.Main().Seal() })
	})
	require.NoError(t, err)
	require.ErrorIs(t, <-errs, dht.ErrUserPanic)
	require.ErrorIs(t, <-errs, dht.ErrUserPanic)
	requireContents(t, tb, map[string]int{"k": 1})
	require.Zero(t, failures.Load())
}
