"""landreg registry package."""
