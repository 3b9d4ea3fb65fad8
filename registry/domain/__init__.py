"""The domain: aggregates, their events and rules, values. No SQL, no I/O."""
