"""The screens of the counter terminal, one module per feature."""
