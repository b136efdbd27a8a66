"""What spans tickets and conversations, in one place both depend on.

- `links.py`: the links between a ticket and a conversation (`conversation_to_link_id`, or a
  conversion) and the `linked_objects` each side lists. Below both services: `tickets.service`,
  `tickets.render`, `tickets.replies`, `conversations.service` and `conversations.views` read and write links through
  it; it reads the `ticket_links` table (`tickets/storage.py`) and `conversations.storage`.
- `conversion.py`: converting a conversation into a customer ticket
  (`POST /conversations/{id}/convert`), a use case above both areas: it reads the conversation
  (`conversations.engine`, `conversations.storage`) and creates the ticket through
  `tickets.service`. Only front doors call it (the conversations route, the inbox).

Neither area imports the other's service for links or conversion.
"""
