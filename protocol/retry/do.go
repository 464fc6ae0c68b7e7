package retry

import (
	"context"
	"fmt"
	"time"
)

// Do calls f until it succeeds, on the schedule b, on the calling
// goroutine: f(ctx, 0) at once and, after attempt k failed, f(ctx, k+1)
// b.Delay(k) later, while b has an attempt k+1. Attempts never overlap.
//
// It returns nil as soon as f does. After the last attempt of b failed it
// returns at once an error wrapping [ErrExhausted] and f's last error (an
// empty schedule never calls f). When ctx ends during a wait, or before an
// attempt, it returns an error wrapping context.Cause(ctx) and f's last
// error, and starts no more attempts.
//
// It blocks in f and in the waits between attempts; the end of ctx wakes
// a wait at once, while f must watch ctx itself. Do not call it from
// inside a reactor, which must not block: use [Events] there. It starts no
// goroutine and, when it returns, leaves no timer behind. b.Delay is
// called once per attempt number, in order.
//
// Cost: one timer, made at the first wait and reused, and the errors it
// returns. It panics if b or f is nil.
func Do(ctx context.Context, b Backoff, f func(ctx context.Context, attempt int) error) error {
	if b == nil || f == nil {
		panic("retry: Do: nil Backoff or function")
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

// stopped is the error of a [Do] whose context ended.
func stopped(cause error, n int, last error) error {
	if last == nil {
		return fmt.Errorf("retry: stopped after %s: %w", attempts(n), cause)
	}
	return fmt.Errorf("retry: stopped after %s: %w; %w", attempts(n), cause, last)
}
