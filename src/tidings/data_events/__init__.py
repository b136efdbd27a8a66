"""Data events: what a contact did in the customer's product, stored per contact and summarised."""
