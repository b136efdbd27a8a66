"""Events, below every area: recording (`record`), the outbox and fan-out to deliveries (`outbox`),
in-process wake-ups (`fanout`), PostgreSQL LISTEN (`listener`), the event and delivery tables
(`storage`) and signers (`signing`). It imports only `tidings.core` and `tidings.db`."""
