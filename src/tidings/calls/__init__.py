"""Calls (Intercom Phone) and Fin Voice registrations. tidings has no telephony: calls are recorded
through the management API, as Intercom records them from its phone system."""
