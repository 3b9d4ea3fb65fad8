"""landreg api package."""
