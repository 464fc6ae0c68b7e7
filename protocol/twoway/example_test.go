package twoway_test

import (
	"context"
	"fmt"

	"github.com/reactors-go/reactors/protocol/twoway"
	"github.com/reactors-go/reactors/reactor"
)

func Example() {
	sys := reactor.New()
	defer func() { _ = sys.Shutdown(context.Background()) }()

	// The server answers every int a client sends with its square.
	servers := make(chan reactor.Channel[twoway.Request[string, int]], 1)
	_, _ = reactor.Spawn(sys, func(r *reactor.Reactor[struct{}]) {
		srv, _ := twoway.Open[string, int](r)
		servers <- srv.Channel()
		srv.Links().OnEvent(func(l twoway.Link[int, string]) {
			l.In.OnEvent(func(n int) { _ = l.Out.Send(fmt.Sprintf("%d squared is %d", n, n*n)) })
		})
	})
	srv := <-servers

	// The client connects, sends three ints and prints the answers.
	done := make(chan struct{})
	_, _ = reactor.Spawn(sys, func(r *reactor.Reactor[struct{}]) {
		twoway.Connect(r, srv).Events().OnEvent(func(l twoway.Link[string, int]) {
			got := 0
			l.In.OnEvent(func(s string) {
				fmt.Println(s)
				if got++; got == 3 {
					l.Close()
					r.Main().Seal()
					close(done)
				}
			})
			for n := 1; n <= 3; n++ {
				_ = l.Out.Send(n)
			}
		})
	})
	<-done
	// Output:
	// 1 squared is 1
	// 2 squared is 4
	// 3 squared is 9
}
