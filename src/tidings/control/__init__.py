"""The emulator's control plane: a workspace's clock, seeded ids, snapshots, request log and faults."""
