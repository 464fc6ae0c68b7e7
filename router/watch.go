package router

import (
	"sync"

	"github.com/reactors-go/reactors/reactor"
)

// watches records the channels (or registrations) whose reactor's
// termination makes a router or a path tree drop them, so that each is
// watched once however often it is added again. Its owner's mutex guards
// it; the zero watches is empty and ready.
type watches[K comparable] struct {
	keys map[K]bool
}

// watch arranges for drop to run, once, when ch's reactor terminates,
// unless key is watched already. mu is the owner's mutex, not held by the
// caller: a reactor that has terminated already calls drop at once, on
// this goroutine, and drop takes mu. drop must forget key (forget) under
// mu. A forwarding channel has no reactor: it is not watched.
func watch[K comparable, T any](mu *sync.Mutex, w *watches[K], key K, ch reactor.Channel[T], drop func()) {
	mu.Lock()
	if w.keys[key] {
		mu.Unlock()
		return
	}
	if w.keys == nil {
		w.keys = map[K]bool{}
	}
	w.keys[key] = true
	mu.Unlock()
	if !ch.AfterTerminate(func(error) { drop() }) {
		mu.Lock()
		w.forget(key)
		mu.Unlock()
	}
}

// forget drops key, whose reactor has terminated (or that has no
// reactor). The owner's mutex must be held.
func (w *watches[K]) forget(key K) { delete(w.keys, key) }
