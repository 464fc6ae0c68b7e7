package retry

import (
	"errors"
	"fmt"
)

// ErrExhausted: a retry's schedule ran out and no attempt answered. The
// error that wraps it also wraps the last error of an attempt, if there
// was one. Match it with [errors.Is].
var ErrExhausted = errors.New("retry: exhausted")

// exhausted is the error of a retry whose schedule ran out.
func exhausted(n int, last error) error {
	if last == nil {
		return fmt.Errorf("%w after %s", ErrExhausted, attempts(n))
	}
	return fmt.Errorf("%w after %s: %w", ErrExhausted, attempts(n), last)
}

func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}
