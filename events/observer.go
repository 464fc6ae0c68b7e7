package events

// Observer receives the events, errors and completion of a stream. The stream
// calls [Observer.OnEvent] and [Observer.OnError] any number of times and
// [Observer.OnDone] at most once, last, all on the goroutine that emits.
type Observer[T any] interface {
	OnEvent(v T)
	OnError(err error)
	OnDone()
}

// Funcs is an [Observer] built from functions: its methods [Funcs.OnEvent],
// [Funcs.OnError] and [Funcs.OnDone] call the fields Event, Error and Done. A
// nil Event or Done ignores the events or the completion; a nil Error makes
// errors unhandled (a panic with [*UnhandledError]).
type Funcs[T any] struct {
	Event func(T)
	Error func(error)
	Done  func()
}

// OnEvent calls f.Event, if set.
func (f *Funcs[T]) OnEvent(v T) {
	if f.Event != nil {
		f.Event(v)
	}
}

// OnError calls f.Error, or panics with [*UnhandledError] if it is nil.
func (f *Funcs[T]) OnError(err error) {
	if f.Error == nil {
		panic(&UnhandledError{Err: err})
	}
	f.Error(err)
}

// OnDone calls f.Done, if set.
func (f *Funcs[T]) OnDone() {
	if f.Done != nil {
		f.Done()
	}
}

// eventFunc observes events only. A func value is pointer-shaped, so
// converting it to an [Observer] does not allocate.
type eventFunc[T any] func(T)

func (f eventFunc[T]) OnEvent(v T)       { f(v) }
func (f eventFunc[T]) OnError(err error) { panic(&UnhandledError{Err: err}) }
func (f eventFunc[T]) OnDone()           {}

// errorFunc observes errors only.
type errorFunc[T any] func(error)

func (f errorFunc[T]) OnEvent(T)         {}
func (f errorFunc[T]) OnError(err error) { f(err) }
func (f errorFunc[T]) OnDone()           {}

// doneFunc observes completion only.
type doneFunc[T any] func()

func (f doneFunc[T]) OnEvent(T)         {}
func (f doneFunc[T]) OnError(err error) { panic(&UnhandledError{Err: err}) }
func (f doneFunc[T]) OnDone()           { f() }
