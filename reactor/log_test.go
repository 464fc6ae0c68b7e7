package reactor_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// syncBuffer is a bytes.Buffer safe for the system's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Split(strings.TrimSpace(s.b.String()), "\n")
}

func TestReactorLoggerCarriesNameAndID(t *testing.T) {
	var buf syncBuffer
	sys := reactor.New(reactor.WithLogger(zerolog.New(&buf).Level(zerolog.DebugLevel)))
	done := make(chan uint64, 1)
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Log().Debug().Msg("hello")
		done <- r.ID()
		r.Main().Seal()
	}, reactor.WithName("logger"))
	require.NoError(t, err)
	id := reactortest.Receive(t, done)
	require.NoError(t, sys.Shutdown(context.Background()))
	line := buf.lines()[0]
	require.Contains(t, line, `"reactor":"logger"`)
	require.Contains(t, line, `"id":`+strconv.FormatUint(id, 10))
	require.Contains(t, line, `"message":"hello"`)
}

func TestDeadLettersAreLoggedRateLimited(t *testing.T) {
	var buf syncBuffer
	sys := reactor.New(reactor.WithLogger(zerolog.New(&buf)))
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) { r.Main().Seal() })
	require.NoError(t, err)
	reactortest.WaitClosed(t, ch.Done())
	for range 100 {
		require.ErrorIs(t, ch.Send(1), reactor.ErrTerminated)
	}
	require.NoError(t, sys.Shutdown(context.Background()))
	lines := buf.lines()
	// One line per second at most: 100 dead letters in well under a
	// second log once (or twice, if the run straddles a second).
	require.LessOrEqual(t, len(lines), 2)
	require.Contains(t, lines[0], `"reason":"terminated"`)
	require.Equal(t, uint64(100), sys.Stats().DeadLetters[reactor.ReasonTerminated])
}

func TestDebugIsSilentByDefault(t *testing.T) {
	// The default logger writes warnings and errors only; a reactor's
	// debug line goes nowhere. Checked through the level of the logger.
	sys := reactor.New()
	defer sys.Shutdown(context.Background())
	require.Equal(t, zerolog.WarnLevel, sys.Logger().GetLevel())
}
