"""Everything outgoing: the delivery queue and worker, Developer Hub subscriptions, signers, Server-Sent Events."""
