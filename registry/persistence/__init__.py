"""Storage: the event store's wiring, its tables and settings."""
