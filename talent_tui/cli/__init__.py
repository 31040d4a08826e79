"""The command line: one module per command group, assembled by `main.build_app()`."""
