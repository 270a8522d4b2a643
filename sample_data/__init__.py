"""The demo's fictitious sample data (JSON), shipped with the package so `wangqian demo` works from any install."""
