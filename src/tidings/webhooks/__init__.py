"""Developer Hub webhooks: subscriptions and their management routes, the delivery worker,
destination checks, Server-Sent Events. Recording and the outbox are `tidings.events`."""
