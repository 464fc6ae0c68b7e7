package retry

import (
	"fmt"
	"time"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// Events returns a stream, owned by o, of the answer to a request that is
// made again on the schedule b until it is answered (Reactors.IO's
// retry, with a give-up). Each subscription subscribes to attempt(0) at
// once and, while no attempt has emitted an event, to attempt(k+1)
// b.Delay(k) after attempt k started, on o's clock.
//
// The attempts overlap: an attempt that has not answered stays subscribed
// when the next one starts, and the first attempt to emit an event wins,
// whichever it is, so an earlier attempt that answers late still wins (a
// hedged request). Silent attempts thus stay subscribed until the retry
// ends, so a long schedule holds one per attempt made. To abandon a silent
// attempt instead, bound it inside attempt, with [reactor.Timeout] for
// instance: it then fails, is dropped and cannot answer.
//
// An attempt fails when it emits an error or completes without an event
// ([events.ErrNoEvent]): it is unsubscribed and its error is kept, not
// forwarded. A failure does not bring the next attempt forward: attempts
// start on the schedule whatever happens, so b bounds how often the
// request is made.
//
// The first event decides: the other attempts are unsubscribed, the timer
// stops, and from then on the result forwards the winner's events and
// errors and completes when it does. For a request with one answer (an
// IVar, such as an ask) that is the answer, then done.
//
// When no attempt has emitted an event and the schedule is over, that is
// b.Delay(n-1) after the last attempt n-1 started, or as soon as every
// attempt has failed and none is left to start, the result emits an
// error wrapping [ErrExhausted] and the last error of an attempt (if any),
// then completes, and every attempt is unsubscribed. An empty schedule
// gives that error at once, without calling attempt. Without an answer, a
// retry thus lasts at most the sum of b's delays.
//
// Unsubscribing the result unsubscribes every attempt and stops the
// timer; attempt is not called again. Owner only: subscribe to the result
// from o's constructor or handlers; attempt runs there too, and the
// streams it returns must belong to o. b.Delay is called once per attempt
// number, in order, one attempt ahead.
//
// Cost: no goroutine; a few allocations per subscription, and per attempt
// one allocation, the attempt's own stream and a timer ([reactor.After],
// a daemon connector of o). It panics if b or attempt is nil.
func Events[T any](o reactor.Owner, b Backoff, attempt func(n int) events.Events[T]) events.Events[T] {
	if b == nil || attempt == nil {
		panic("retry: Events: nil Backoff or attempt")
	}
	return events.From[T](&source[T]{o: o, b: b, attempt: attempt})
}

type source[T any] struct {
	o       reactor.Owner
	b       Backoff
	attempt func(n int) events.Events[T]
}

func (s *source[T]) Subscribe(down events.Observer[T]) events.Subscription {
	r := &run[T]{source: s, down: down}
	r.tickObs.Event = r.tick
	r.tickObs.Error = r.abort
	if d, ok := s.b.Delay(0); ok {
		r.launch(d)
	} else {
		r.giveUp()
	}
	return r
}

// run is the state of one subscription to [Events]. Owner only.
type run[T any] struct {
	*source[T]
	down    events.Observer[T]
	tries   []*try[T] // the attempts that can still answer; after a win, the winner
	winner  *try[T]
	timer   events.Subscription // the window of the latest attempt
	tickObs events.Funcs[struct{}]
	started int           // attempts started
	next    time.Duration // the delay of attempt number started, if hasNext
	hasNext bool
	last    error // the latest failure of an attempt
	ended   bool  // the result completed or was unsubscribed
}

// launch starts attempt number r.started, whose window is d.
func (r *run[T]) launch(d time.Duration) {
	t := &try[T]{r: r, n: r.started}
	r.started++
	r.next, r.hasNext = r.b.Delay(r.started)
	r.tries = append(r.tries, t)
	sub := r.attempt(t.n).Subscribe(t)
	if t.off { // it completed, failed or lost during Subscribe
		sub.Unsubscribe()
	} else {
		t.sub = sub
	}
	if !r.ended && r.winner == nil {
		r.timer = reactor.After(r.o, max(d, 0)).Subscribe(&r.tickObs)
	}
}

// tick ends the window of the latest attempt.
func (r *run[T]) tick(struct{}) {
	if r.ended || r.winner != nil {
		return
	}
	if r.hasNext {
		r.launch(r.next)
	} else {
		r.giveUp()
	}
}

// win makes t the winner: the other attempts and the timer stop.
func (r *run[T]) win(t *try[T]) {
	r.winner = t
	r.stopTimer()
	for _, u := range r.tries {
		if u != t {
			u.cancel()
		}
	}
	r.tries = append(r.tries[:0], t)
}

// failed drops t, which failed with err, and gives up if nothing can
// answer any more.
func (r *run[T]) failed(t *try[T], err error) {
	t.cancel()
	for i, u := range r.tries {
		if u == t {
			r.tries = append(r.tries[:i], r.tries[i+1:]...)
			break
		}
	}
	r.last = fmt.Errorf("attempt %d: %w", t.n, err)
	if len(r.tries) == 0 && !r.hasNext {
		r.giveUp()
	}
}

func (r *run[T]) giveUp() {
	r.end()
	r.down.OnError(exhausted(r.started, r.last))
	r.down.OnDone()
}

// abort ends the retry with the error of its timer (o has terminated).
func (r *run[T]) abort(err error) {
	if !r.ended {
		r.end()
		r.down.OnError(fmt.Errorf("retry: %w", err))
		r.down.OnDone()
	}
}

// end stops everything; the caller completes the result, if it must.
func (r *run[T]) end() {
	r.ended = true
	r.stopTimer()
	for _, t := range r.tries {
		t.cancel()
	}
	r.tries = nil
}

func (r *run[T]) stopTimer() {
	if r.timer != nil {
		r.timer.Unsubscribe()
		r.timer = nil
	}
}

// Unsubscribe ends the run for its subscriber.
func (r *run[T]) Unsubscribe() {
	if !r.ended {
		r.end()
	}
}

// try observes one attempt.
type try[T any] struct {
	r   *run[T]
	n   int
	sub events.Subscription // nil until its Subscribe returns
	off bool                // no longer observed: failed, lost, completed or cancelled
}

func (t *try[T]) cancel() {
	if !t.off {
		t.off = true
		if t.sub != nil {
			t.sub.Unsubscribe()
		}
	}
}

func (t *try[T]) OnEvent(v T) {
	if t.off {
		return
	}
	if t.r.winner == nil {
		t.r.win(t)
	}
	t.r.down.OnEvent(v)
}

func (t *try[T]) OnError(err error) {
	switch {
	case t.off:
	case t.r.winner == t:
		t.r.down.OnError(err)
	default:
		t.r.failed(t, err)
	}
}

func (t *try[T]) OnDone() {
	switch {
	case t.off:
	case t.r.winner == t:
		t.off = true
		t.r.ended = true
		t.r.down.OnDone()
	default:
		t.r.failed(t, events.ErrNoEvent)
	}
}
