"""Tables, engine, repositories and migrations of wangqian."""
