// Package twoway gives two reactors a channel each way (Reactors.IO's
// two-way links): a server accepts links, a client connects to it, and
// each side gets a [Link], a channel to send to the other side ([Link.Out]) and
// the stream of what the other side sends ([Link.In]).
//
//	// In the server's reactor (I and O are from the client's view):
//	srv, _ := twoway.Open[string, int](server)
//	srv.Links().OnEvent(func(l twoway.Link[int, string]) { ... })
//
//	// In the client's reactor, given srv.Channel():
//	twoway.Connect(client, ch).Events().OnEvent(func(l twoway.Link[string, int]) {
//		_ = l.Out.Send(42)
//		l.In.OnEvent(func(s string) { ... })
//	})
//
// # Rules
//
//   - [Link.In], [Link.Close], [Server.Links] and [Server.Close] belong to
//     their reactor (owner only); [Link.Out] and [Server.Channel] go
//     anywhere.
//   - Each side closes only its own input, and nothing tells the other
//     side: a protocol on top of the link says when to close. Inputs
//     are daemon connectors, so an open link keeps no reactor alive.
//   - [Connect] has no deadline of its own: bound it with [reactor.Timeout].
//     It fails with an error matching [ErrNoLink] when the server's reactor
//     terminates before answering, or with the error of the send or
//     connector that failed.
package twoway
