"""Use cases: the one place each of them lives. The TUI and the CLI both call these."""
