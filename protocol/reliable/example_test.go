package reliable_test

import (
	"context"
	"fmt"

	"github.com/reactors-go/reactors/protocol/reliable"
	"github.com/reactors-go/reactors/reactor"
)

// lossy is a transport that loses the first transmission of every frame
// with an even sequence number. Only the sending reactor calls Send, one
// turn at a time, so seen needs no lock.
type lossy struct {
	to   reactor.Channel[reliable.Frame[string]]
	seen map[uint64]bool
}

func (l *lossy) Send(f reliable.Frame[string]) error {
	first := !l.seen[f.Seq]
	l.seen[f.Seq] = true
	if first && f.Seq%2 == 0 {
		return nil // lost on the way
	}
	return l.to.Send(f)
}

func (l *lossy) Name() string { return l.to.Name() }

// The sending end retransmits what the transport lost; the receiving end
// delivers every value once, in order.
func Example() {
	sys := reactor.New()
	defer func() { _ = sys.Shutdown(context.Background()) }()

	// The receiving reactor opens a connector for the frames, then serves
	// the link once its main channel brings the sender's Acks.
	frames := make(chan reactor.Channel[reliable.Frame[string]], 1)
	ready := make(chan struct{})
	done := make(chan struct{})
	rx, _ := reactor.Spawn(sys, func(r *reactor.Reactor[reactor.Channel[reliable.Ack]]) {
		conn, _ := reactor.Open[reliable.Frame[string]](r)
		frames <- conn.Channel()
		r.Main().Events().OnEvent(func(acks reactor.Channel[reliable.Ack]) {
			k := reliable.Serve(r, conn, acks, reliable.Config{})
			k.Events().OnEvent(func(s string) {
				fmt.Println(s)
				if s == "e" {
					close(done)
				}
			})
			close(ready)
		})
	})
	transport := reactor.ChannelOf[reliable.Frame[string]](&lossy{to: <-frames, seen: map[uint64]bool{}})

	// The sending reactor sends the strings of its main channel over the
	// link.
	tx, _ := reactor.Spawn(sys, func(r *reactor.Reactor[string]) {
		s, _ := reliable.Open(r, transport, reliable.Config{})
		_ = rx.Send(s.Acks())
		r.Main().Events().OnEvent(func(v string) { _ = s.Send(v) })
	})
	<-ready
	for _, v := range []string{"a", "b", "c", "d", "e"} {
		_ = tx.Send(v)
	}
	<-done
	// Output:
	// a
	// b
	// c
	// d
	// e
}
