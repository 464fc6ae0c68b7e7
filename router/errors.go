package router

import "errors"

// ErrNoRoute is returned by a send through a router whose policy chose no
// target (an empty target set, or a policy that refused the event). The
// event is dead-lettered with reactor.ReasonNoRoute.
var ErrNoRoute = errors.New("router: no route")
