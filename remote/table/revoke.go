package table

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// This file fences a durable table's writes by subject. A member
// publishes each write it makes under layout epoch E to the subject
// "$KV.<bucket>_w.<life>.<E>.<bucket key>", where life names this life
// of the bucket (record.Life: a bucket deleted and made again starts a
// new one, so an earlier life's graves and late writes never meet it).
// Write subjects live under "$KV." so that a JetStream domain's prefix
// maps them as it maps a bucket's keys, yet beside the bucket's own
// subjects. The bucket's stream takes the write subjects of one epoch
// only, and stores each write under its key's ordinary subject
// ("$KV.<bucket>.<bucket key>", by a subject transform of the stream),
// so the bucket holds one entry per key, as any key-value bucket does,
// and the write carries no header.
//
// When the layout changes to E, a member moves the stream (move): a
// stream update replaces the write subjects it takes with E's, and then
// every earlier epoch gets a grave: a stream of its own, made empty and
// then sealed, that takes that epoch's write subjects for good. (A grave
// whose maker stopped between the two requests stays unsealed and may
// take one late write; store refuses an acknowledgement from any stream
// but the bucket's, so that write is refused all the same:
// TestUnsealedGraveRefusesLateWrites.) A write of an
// earlier epoch published after the update is refused: no stream takes
// it (no responders), or its grave does (sealed), and JetStream refuses
// every later stream update that would take it again (its subjects
// overlap the grave's). So a member that lost its keys (paused past its
// lease, cut off, or behind on the layout) cannot store a late write,
// whatever it believes: its epoch is revoked.
//
// Stream updates are not conditional: a member paused in the middle of
// its own move may update the stream back to an epoch whose grave does
// not exist yet. The grave's creation then fails (the subjects
// overlap), and the member moving to the newer epoch updates the stream
// again, until the graves of every earlier epoch exist. Writes of the
// newer epoch meanwhile find no stream and are placed again.
//
// A member that gains keys loads them from the bucket only once the
// graves of every epoch before its own exist (its move is done, or it
// found the stream at a later epoch; see move) and after a write of its
// own (mark): the stream orders each write it
// took before that write, so the load includes every write that any
// member can ever store under an earlier epoch.
//
// Costs: a write is one publish without headers, stored at the speed
// of a plain key-value put. A layout change costs each member that
// moves the stream a stream lookup, an update and the creation and
// sealing of one grave; the graves stay, one empty stream per layout
// change of the table (removing one would let a late update take its
// epoch again). A bucket deleted by hand may leave its graves: a new
// bucket of the same name has a new life, which they do not touch.

// writeRoot returns the start of the subjects of the table's writes,
// as the stream names them: "$KV.<bucket>_w.<life>.".
func (t *Table[K, V]) writeRoot() string { return "$KV." + t.bucket + "_w." + t.lifeName() + "." }

// graveSuffix follows the bucket's name in the names of its graves.
const graveSuffix = "_revoked_"

// writePrefix returns the subject prefix of the writes of epoch e:
// "$KV.<bucket>_w.<life>.<e>.", after the JetStream API prefix of the
// node.
func (t *Table[K, V]) writePrefix(e uint64) string {
	return t.in.APIPrefix() + t.writeRoot() + strconv.FormatUint(e, 10) + "."
}

// writeSubject returns the subject of a write of bucket key key under
// v's epoch.
func (t *Table[K, V]) writeSubject(v *view, key encoded) string {
	var b strings.Builder
	b.Grow(len(v.wpre) + len(dataPrefix) + 4*len(key.key)/3 + 4)
	b.WriteString(v.wpre)
	b.WriteString(dataPrefix)
	key.writeBase64(&b)
	return b.String()
}

// graveName returns the name of the grave of epoch e:
// "<bucket>_revoked_<life>_<e>".
func (t *Table[K, V]) graveName(e uint64) string {
	return t.bucket + graveSuffix + t.lifeName() + "_" + strconv.FormatUint(e, 10)
}

// lifeName returns the life of the bucket the table serves ("0" for a
// record without one).
func (t *Table[K, V]) lifeName() string {
	t.vmu.Lock()
	defer t.vmu.Unlock()
	return cmp.Or(t.life, "0")
}

// errBehind says that the bucket's stream was moved to a later epoch
// than the one a member tried to move it to, or that epoch has its
// grave: the member is behind on the layout.
var errBehind = errors.New("the layout moved on")

// JetStream's error codes (server/errors.json) that nats.go does not
// name: a stream's subjects overlap another stream's, and an operation
// on a sealed stream.
const (
	codeSubjectOverlap jetstream.ErrorCode = 10065
	codeSealed         jetstream.ErrorCode = 10109
)

// overlap reports whether err refused a stream's creation or update
// because its subjects overlap another stream's.
func overlap(err error) bool {
	var api *jetstream.APIError
	return errors.As(err, &api) && api.ErrorCode == codeSubjectOverlap
}

// sealed reports whether err refused a publish because its subject
// belongs to a sealed stream: a grave.
func sealed(err error) bool {
	var api *jetstream.APIError
	return errors.As(err, &api) && api.ErrorCode == codeSealed
}

// apiTimeout bounds each JetStream API request of a move. A request
// that no server answers (one sent to a stream leader that was replaced
// meanwhile) then fails after it, and is made again, where it would
// wait for the whole context of a load.
const apiTimeout = 5 * time.Second

// within runs f with a context that ends after apiTimeout, or with ctx.
func within[T any](ctx context.Context, f func(ctx context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	return f(ctx)
}

// Pauses of a move whose grave creation met an update that took the
// grave's epoch again: the first, doubled up to the last.
const (
	movePause    = time.Millisecond
	maxMovePause = 100 * time.Millisecond
)

// move makes the bucket's stream take the writes of epoch e and of no
// other epoch, and gives every epoch before e its grave. It returns nil
// at once if the member saw it done. It returns errBehind if a later
// epoch took the stream or e has its grave: the graves of the epochs
// before e exist then too, which is what a load of epoch e needs (see
// loadStored). Otherwise it goes on until it is done or ctx ends.
func (t *Table[K, V]) move(ctx context.Context, e uint64) error {
	t.moveMu.Lock()
	defer t.moveMu.Unlock()
	if t.moved.Load() >= e {
		return nil
	}
	js := t.in.JetStream()
	pre := t.writeRoot()
	for pause := movePause; ; pause = min(2*pause, maxMovePause) {
		s, err := within(ctx, func(ctx context.Context) (jetstream.Stream, error) { return js.Stream(ctx, t.stream) })
		if err != nil {
			return fmt.Errorf("table: %s: move: %w", t.name, t.in.TransportErr(t.name, err))
		}
		cfg := s.CachedInfo().Config
		var subjects []string
		at := uint64(0) // the epoch whose writes the stream takes; 0: none
		for _, sub := range cfg.Subjects {
			if rest, ok := strings.CutPrefix(sub, pre); ok {
				at, _ = strconv.ParseUint(strings.TrimSuffix(rest, ".>"), 10, 64)
				continue
			}
			subjects = append(subjects, sub)
		}
		if at > e {
			// Its mover made the graves before at, but may have been
			// undone halfway: those before e are what a load needs.
			again, err := t.bury(ctx, e)
			if err != nil || !again {
				return cmp.Or(err, errBehind)
			}
		} else {
			if at < e {
				cfg.Subjects = append(subjects, pre+strconv.FormatUint(e, 10)+".>")
				cfg.SubjectTransform = &jetstream.SubjectTransformConfig{
					Source: pre + "*.>", Destination: "$KV." + t.bucket + ".>",
				}
				if _, err := within(ctx, func(ctx context.Context) (jetstream.Stream, error) { return js.UpdateStream(ctx, cfg) }); err != nil {
					if overlap(err) {
						// e has its grave, made after those of every
						// epoch before it (bury makes them in order).
						return errBehind
					}
					return fmt.Errorf("table: %s: move: %w", t.name, t.in.TransportErr(t.name, err))
				}
			}
			again, err := t.bury(ctx, e)
			if err != nil {
				return err
			}
			if !again {
				t.moved.Store(e)
				return nil
			}
		}
		select { // an update took an epoch back before its grave: again
		case <-time.After(pause):
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// bury gives each epoch before e that has none its grave. It reports
// again if the stream takes one of those epochs' writes (an update by
// a member behind on the layout): the stream is to be moved again.
// t.moveMu is held.
func (t *Table[K, V]) bury(ctx context.Context, e uint64) (again bool, err error) {
	if t.buried+1 >= e {
		return false, nil
	}
	js := t.in.JetStream()
	if t.buried == 0 { // the first move of this member: skip the graves that exist
		exist := map[uint64]bool{}
		ctx, cancel := context.WithTimeout(ctx, apiTimeout)
		defer cancel()
		names := js.StreamNames(ctx, jetstream.WithStreamListSubject(t.writeRoot()+">"))
		for n := range names.Name() {
			if g, ok := strings.CutPrefix(n, t.bucket+graveSuffix+t.lifeName()+"_"); ok {
				if ge, err := strconv.ParseUint(g, 10, 64); err == nil {
					exist[ge] = true
				}
			}
		}
		if err := names.Err(); err != nil {
			return false, fmt.Errorf("table: %s: graves: %w", t.name, t.in.TransportErr(t.name, err))
		}
		for exist[t.buried+1] {
			t.buried++
		}
	}
	for g := t.buried + 1; g < e; g++ {
		s, err := within(ctx, func(ctx context.Context) (jetstream.Stream, error) {
			return js.CreateStream(ctx, jetstream.StreamConfig{
				Name:        t.graveName(g),
				Description: "reactors table " + t.name + ": writes of a revoked layout epoch",
				Subjects:    []string{t.writeRoot() + strconv.FormatUint(g, 10) + ".>"},
				Storage:     jetstream.FileStorage, // kept through a server's restart
				MaxMsgs:     1,
				Discard:     jetstream.DiscardOld,
				Replicas:    1,
			})
		})
		switch {
		case overlap(err):
			return true, nil
		case errors.Is(err, jetstream.ErrStreamNameAlreadyInUse):
			// Made by another member (and sealed, or being sealed, or
			// left unsealed by a maker that stopped: a write it took
			// unsealed is refused all the same, see store).
		case err != nil:
			return false, fmt.Errorf("table: %s: grave: %w", t.name, t.in.TransportErr(t.name, err))
		default:
			// Sealed as the server seals a stream (no deletes, no
			// purges), so that two members sealing it at once send the
			// same configuration and both succeed.
			cfg := s.CachedInfo().Config
			cfg.Sealed, cfg.DenyDelete, cfg.DenyPurge = true, true, true
			if _, err := within(ctx, func(ctx context.Context) (jetstream.Stream, error) { return js.UpdateStream(ctx, cfg) }); err != nil {
				return false, fmt.Errorf("table: %s: grave: %w", t.name, t.in.TransportErr(t.name, err))
			}
			t.count.graves.Add(1)
		}
		t.buried = g
	}
	return false, nil
}

// Pauses of a conditioned write (a barrier) that met another one in
// flight on its condition subject (a cluster only): the first, doubled
// up to the last.
const (
	busyPause    = 50 * time.Microsecond
	maxBusyPause = 5 * time.Millisecond
)

// busy reports whether err refused a conditioned write because another
// one on the same condition subject is in flight (a cluster only).
func busy(err error) bool {
	var api *jetstream.APIError
	return errors.As(err, &api) && api.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}

// errUnanswered marks a write that no JetStream server answered (see
// unanswered): nothing was stored, so the write may be placed again.
var errUnanswered = errors.New("no JetStream server answered")

// conflict reports whether err refused a conditioned write because its
// condition subject was written since.
func conflict(err error) bool {
	var api *jetstream.APIError
	return errors.As(err, &api) && api.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}

// publishFenced publishes m on the condition that the last write of
// bucket key cond has sequence seq, trying again while another
// conditioned write of cond is in flight. It reports refused when cond
// was written since (nothing was stored), and otherwise returns m's
// sequence in the stream. Any other error leaves it unknown whether m
// was stored, except one matching errUnanswered: nobody took m.
func (t *Table[K, V]) publishFenced(ctx context.Context, m *nats.Msg, cond string, seq uint64) (refused bool, stored uint64, err error) {
	m.Header.Set(hdrExpectSeq, strconv.FormatUint(seq, 10))
	m.Header.Set(hdrExpectSubj, t.subject(cond))
	for pause := busyPause; ; pause = min(2*pause, maxBusyPause) {
		ack, err := t.publishMsg(ctx, m)
		switch {
		case err == nil:
			return false, ack.Sequence, nil
		case conflict(err):
			t.count.refused.Add(1)
			return true, 0, nil
		case ctx.Err() != nil:
			return false, 0, context.Cause(ctx)
		case unanswered(err):
			return false, 0, fmt.Errorf("table: %s: store: %w (%w)", t.name, errUnanswered, err)
		case !busy(err):
			return false, 0, fmt.Errorf("table: %s: store: %w", t.name, t.in.TransportErr(t.name, err))
		}
		t.count.busy.Add(1)
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return false, 0, context.Cause(ctx)
		}
	}
}
