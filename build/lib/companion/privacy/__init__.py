"""Personal data kept safe: encrypted at rest, found by a keyed hash, kept out of logs, purged."""
