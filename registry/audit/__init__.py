"""Audit: the hash chain's verification, checkpoints, seals, signing keys and the offline bundle."""
