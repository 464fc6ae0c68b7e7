// Package durable carries events across processes through a JetStream
// stream, so that neither side's crash loses one: durable remote channels,
// in the manner of Akka's reliable delivery with a durable producer
// queue. A [Channel]'s Send returns once JetStream has stored the event;
// an [Export] hands the stored events to a reactor channel as
// [Delivery] values, and JetStream removes each only once the handler
// acknowledges it ([Delivery.Ack]), as Akka's consumers confirm theirs.
//
//	// Sending node: Send returns once the order is stored.
//	orders, _ := durable.Channel(ctx, n, "orders", durable.Config[Order]{ID: Order.Key})
//	err := orders.Send(o)
//
//	// Exporting node, any time later: each order comes until acknowledged.
//	ch, _ := reactor.Spawn(sys, func(r *reactor.Reactor[durable.Delivery[Order]]) {
//		r.Main().Events().OnEvent(func(d durable.Delivery[Order]) {
//			apply(d.Value) // keyed by d.ID where applying twice would hurt
//			d.Ack()
//		})
//	})
//	x, _ := durable.Export(ctx, m, "orders", ch, durable.Config[Order]{ID: Order.Key})
//	defer x.Close(ctx)
//
// Both ends take the same [Config]. Names are remote names ([remote.Subject]):
// events of name travel on [Subject](namespace, name) and are stored in the
// work-queue stream [StreamName] of that subject, which either end creates,
// with one durable consumer shared by every export of the name.
//
// # A package of its own
//
// Durable channels could have been an option of [remote.Channel] and
// [remote.Export]. They are a package because their calls differ where it
// matters: opening a name blocks for JetStream requests (so Channel and
// Export take a context), Send blocks for a round trip (remote's never
// waits), and the exporter's channel carries a Delivery, whose
// acknowledgement is the handler's to give, not a plain T. Package remote
// keeps its never-blocking contract and does not grow; this package
// stands on remote's node, names and codecs, and on JetStream through
// nats.go's jetstream package, writing no replication of its own.
//
// # Where events are stored
//
// In the JetStream that the node's connection reaches: a NATS deployment's
// for a node started with [remote.WithURL] (its streams outlive every
// node), the hub's for a leaf node ([Config.Domain]), or the embedded
// cluster's for nodes started with [remote.WithCluster] and
// [remote.WithRegistry], where the stream has min(3, servers) replicas and
// survives the loss of a minority of the servers. A lone node's embedded
// JetStream ([remote.WithRegistry] alone) keeps its store in a temporary
// directory that Close removes: its streams last only as long as the
// node, which suits tests only; a node with neither runs no JetStream
// ([ErrNoJetStream]). A stored event is as safe as the stream: on one
// server, in its files (written before the acknowledgement; synced to
// disk every two minutes unless the server syncs always), which survive
// the server's crash or restart but not the loss of its disk; with
// replicas, on a majority of them.
//
// # Guarantees
//
// Stored before Send returns: a nil error from Send means JetStream
// acknowledged the store. Send fails ([ErrNotStored]) when JetStream
// refuses the event or no acknowledgement comes within [Config.Timeout];
// after a timeout the event may be stored all the same. Send is a
// blocking call: from a reactor's handler it fails at once with
// [reactor.ErrInsideReactor] (a handler must not wait for a round trip;
// nothing is sent), so reactors hand durable events to a goroutine.
//
// Nothing lost: a stored event stays in the stream until an export's
// handler acknowledges it. A sending node that closes or crashes after
// Send returned loses nothing; an export that closes gives back what it
// received and did not hand over; an exporting process that dies loses
// nothing either: what its channel held unacknowledged is delivered again
// after [Config.AckWait], to the name's next export. A NATS server restart
// loses nothing: Send repeats its attempt with the same id, and the
// export resumes with its consumer.
//
// Duplicates removed: copies of one event are recognised by its id, at
// both ends, within these limits.
//   - In the stream: Send repeats an unacknowledged attempt with the same
//     id, and JetStream stores an id at most once within [Config.Duplicates],
//     so a Send that returned nil stored its event exactly once. With
//     [Config.ID], events given the same id within that window are one
//     event, whoever sends them: a sender that restarts and sends again
//     the events it did not see stored stores none twice.
//   - In a running export: each stored event is handed to the channel once.
//     JetStream's copies of an event the channel holds are dropped (and
//     its AckWait is extended so they do not come), and so are copies of
//     an event already acknowledged whose acknowledgement JetStream has
//     not recorded (lost in a reconnection or a server restart): the
//     export acknowledges them again, until the consumer's acknowledgement
//     floor passes them.
//   - Across an export's end: an event that an export handed over and
//     that JetStream had not recorded as acknowledged when the export
//     ended (its process died, or it closed with the event unacknowledged)
//     is delivered again, to the name's next export, with [Delivery.Attempt]
//     above 1. These repeats are the only ones a handler can see, at most
//     [Config.MaxPending] per export that ended so; a JetStream server that
//     crashes (not one that stops) may also forget acknowledgements of its
//     last moments, whose events then come again likewise. A handler whose
//     effect must not happen twice keys it by [Delivery.ID], which is the
//     same on every delivery of the event, or treats Attempt above 1 as
//     "perhaps seen".
//
// No store can remove the last window: marking an event handled and the
// handler's own effect are two steps, and a process that dies between
// them either loses the event (marked first) or repeats it (marked
// after). Durable channels take the second, keep the window to the
// acknowledgements in flight, and tell the handler.
//
// Ordering: the Sends of one goroutine are stored in the order made (each
// returns once stored); an export hands events over in the stream's
// order. Events given back or delivered again (Nak, a channel that could
// not take them, an export's end) come after events stored later. When
// several nodes export a name, each event goes to one of them and order
// holds per receiving node only.
//
// Failures are never silent: Send returns its error (a refused event is
// not dead-lettered); an undecodable payload is dead-lettered with
// [reactor.ReasonUndecodable] and removed; a channel that refuses for good
// stops its export ([Exported.Err], a [remote.NoticeError] on the node's
// Notices) and its event stays in the stream; the consumer's own errors
// (missed heartbeats while a server restarts) are reported on Notices.
//
// # Cost
//
// Send costs the codec and a JetStream publish round trip: about as many
// events a second from one goroutine as JetStream's own publish with
// acknowledgement (the README's W7 row). Several goroutines sending share
// the connection and overlap their round trips. An export costs a pull
// subscription with nats.go's goroutines and one goroutine of its own, a
// map entry per event held, one acknowledgement message per event and a
// consumer info request every AckWait/4 while acknowledgements are
// pending. The stream holds each event until it is acknowledged.
package durable
