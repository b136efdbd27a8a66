"""Workflows: documents registered in the management API (Intercom builds them in its UI),
exported as Intercom exports them."""
