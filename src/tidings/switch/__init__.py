"""Switch: move a phone caller to the Messenger by SMS (`POST /phone_call_redirects`)."""
