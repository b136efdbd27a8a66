"""Running tidings in production: Prometheus metrics and structured logs."""
