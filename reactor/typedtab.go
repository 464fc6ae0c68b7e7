package reactor

import "unsafe"

// A frame keeps its reactor's typed part ([typed], the main connector and
// the body) as half an interface: the method table alone. The other half,
// the data word, is the frame's own address, because the frame is the
// first field of every [Reactor] (checked in tests). That saves a word
// per reactor, which keeps an idle Reactor[int64] in the 144-byte size
// class. sync/atomic.Value splits interfaces into words the same way.

// ifaceWords is the layout of a non-empty interface value.
type ifaceWords struct {
	tab  unsafe.Pointer // the method table, never in the Go heap
	data unsafe.Pointer
}

// typedTab returns the method table of r as a [typed].
func typedTab[T any](r *Reactor[T]) unsafe.Pointer {
	var t typed = r
	return (*ifaceWords)(unsafe.Pointer(&t)).tab
}

// typed returns the reactor's typed part.
func (f *frame) typed() typed {
	var t typed
	w := (*ifaceWords)(unsafe.Pointer(&t))
	w.tab, w.data = f.tab, unsafe.Pointer(f)
	return t
}
