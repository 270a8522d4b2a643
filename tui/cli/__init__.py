"""The `wangqian` command line: ``main`` is the root; one module per domain; ``helpers`` is what they share."""
