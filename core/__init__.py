"""Pure rules and value types of wangqian: no database, no UI, no I/O."""
