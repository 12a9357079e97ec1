"""Audits of the log: walking the hash chain, signed checkpoints, verifying, restoring a backup."""
