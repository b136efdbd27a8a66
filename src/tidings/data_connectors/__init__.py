"""Data connectors: HTTP calls to a customer's API that Fin (and workflows) can make, and their execution log."""
