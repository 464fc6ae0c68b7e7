// Package follow keeps routers across nodes in step with the registry of
// package remote: the targets of a [router.Router] ([Router]), or a group of
// a [router.Paths] tree ([Paths]), stay equal to the channels
// ([remote.NodeChannel]) of a name on the registry members that export it,
// sorted by node id, as the node sees the registry. So router policies
// (round-robin, hash, consistent hash) work across nodes, and "prefix/*"
// broadcasts to the exporting nodes while "prefix/?" selects one:
//
//	n, _ := remote.Start(context.Background(), sys, remote.WithURL(url), remote.WithRegistry())
//	rt := router.New(sys, "workers", router.RoundRobin[job]())
//	b, _ := follow.Router(n, "workers", rt)
//	defer b.Stop()
//	rt.Channel().Send(job{})                        // one node, in turn
//
// A change of the registry reaches the router before the node's
// MemberWatch channels hear of it, so a watcher that sees a member join
// with the name can send through the router and reach it. The node must
// be started with [remote.WithRegistry].
package follow
