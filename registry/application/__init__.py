"""The use cases: commands, the runner, the unit of work, group commit and the overlap guard."""
