package protocol

import (
	"context"
	"fmt"
	"time"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// Retry returns a stream, owned by o, of the answer to a request that is
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
// attempt instead, bound it inside attempt, with reactor.Timeout for instance: it
// then fails, is dropped and cannot answer.
//
// An attempt fails when it emits an error or completes without an event
// (events.ErrNoEvent): it is unsubscribed and its error is kept, not
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
// error wrapping ErrRetriesExhausted and the last error of an attempt (if
// any), then completes, and every attempt is unsubscribed. An empty
// schedule gives that error at once, without calling attempt. Without an
// answer, a retry thus lasts at most the sum of b's delays.
//
// Unsubscribing the result unsubscribes every attempt and stops the
// timer; attempt is not called again. Owner only: subscribe to the result
// from o's constructor or handlers; attempt runs there too, and the
// streams it returns must belong to o. b.Delay is called once per attempt
// number, in order, one attempt ahead.
//
// Cost: no goroutine; a few allocations per subscription, and per attempt
// one allocation, the attempt's own stream and a timer (reactor.After,
// a daemon connector of o). It panics if b or attempt is nil.
func Retry[T any](o reactor.Owner, b Backoff, attempt func(n int) events.Events[T]) events.Events[T] {
	if b == nil || attempt == nil {
		panic("protocol: Retry: nil Backoff or attempt")
	}
	return events.From[T](&retrySource[T]{o: o, b: b, attempt: attempt})
}

type retrySource[T any] struct {
	o       reactor.Owner
	b       Backoff
	attempt func(n int) events.Events[T]
}

func (s *retrySource[T]) Subscribe(down events.Observer[T]) events.Subscription {
	r := &retry[T]{retrySource: s, down: down}
	r.tickObs.Event = r.tick
	r.tickObs.Error = r.abort
	if d, ok := s.b.Delay(0); ok {
		r.launch(d)
	} else {
		r.giveUp()
	}
	return r
}

// retry is the state of one subscription to Retry. Owner only.
type retry[T any] struct {
	*retrySource[T]
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
func (r *retry[T]) launch(d time.Duration) {
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
func (r *retry[T]) tick(struct{}) {
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
func (r *retry[T]) win(t *try[T]) {
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
func (r *retry[T]) failed(t *try[T], err error) {
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

func (r *retry[T]) giveUp() {
	r.end()
	r.down.OnError(exhausted(r.started, r.last))
	r.down.OnDone()
}

// abort ends the retry with the error of its timer (o has terminated).
func (r *retry[T]) abort(err error) {
	if !r.ended {
		r.end()
		r.down.OnError(fmt.Errorf("protocol: retry: %w", err))
		r.down.OnDone()
	}
}

// end stops everything; the caller completes the result, if it must.
func (r *retry[T]) end() {
	r.ended = true
	r.stopTimer()
	for _, t := range r.tries {
		t.cancel()
	}
	r.tries = nil
}

func (r *retry[T]) stopTimer() {
	if r.timer != nil {
		r.timer.Unsubscribe()
		r.timer = nil
	}
}

// Unsubscribe ends the retry for its subscriber.
func (r *retry[T]) Unsubscribe() {
	if !r.ended {
		r.end()
	}
}

// try observes one attempt.
type try[T any] struct {
	r   *retry[T]
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

// RetryFunc calls f until it succeeds, on the schedule b, on the calling
// goroutine: f(ctx, 0) at once and, after attempt k failed, f(ctx, k+1)
// b.Delay(k) later, while b has an attempt k+1. Attempts never overlap.
//
// It returns nil as soon as f does. After the last attempt of b failed it
// returns at once an error wrapping ErrRetriesExhausted and f's last
// error (an empty schedule never calls f). When ctx ends during a wait,
// or before an attempt, it returns an error wrapping context.Cause(ctx)
// and f's last error, and starts no more attempts.
//
// It blocks in f and in the waits between attempts; the end of ctx wakes
// a wait at once, while f must watch ctx itself. Do not call it from
// inside a reactor, which must not block: use Retry there. It starts no
// goroutine and, when it returns, leaves no timer behind. b.Delay is
// called once per attempt number, in order.
//
// Cost: one timer, made at the first wait and reused, and the errors it
// returns. It panics if b or f is nil.
func RetryFunc(ctx context.Context, b Backoff, f func(ctx context.Context, attempt int) error) error {
	if b == nil || f == nil {
		panic("protocol: RetryFunc: nil Backoff or function")
	}
	d, ok := b.Delay(0)
	if !ok {
		return exhausted(0, nil)
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	var last error
	for k := 0; ; k++ {
		if ctx.Err() != nil {
			return stopped(context.Cause(ctx), k, last)
		}
		err := f(ctx, k)
		if err == nil {
			return nil
		}
		last = fmt.Errorf("attempt %d: %w", k, err)
		next, more := b.Delay(k + 1)
		if !more {
			return exhausted(k+1, last)
		}
		if d > 0 && ctx.Err() == nil {
			if timer == nil {
				timer = time.NewTimer(d)
			} else {
				timer.Reset(d)
			}
			select {
			case <-timer.C:
			case <-ctx.Done():
			}
		}
		d = next
	}
}

// exhausted is the error of a retry whose schedule ran out.
func exhausted(n int, last error) error {
	if last == nil {
		return fmt.Errorf("%w after %s", ErrRetriesExhausted, attempts(n))
	}
	return fmt.Errorf("%w after %s: %w", ErrRetriesExhausted, attempts(n), last)
}

// stopped is the error of a RetryFunc whose context ended.
func stopped(cause error, n int, last error) error {
	if last == nil {
		return fmt.Errorf("protocol: retry stopped after %s: %w", attempts(n), cause)
	}
	return fmt.Errorf("protocol: retry stopped after %s: %w; %w", attempts(n), cause, last)
}

func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}
