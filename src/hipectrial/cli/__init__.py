"""The ``hipectrial`` command line (Typer); one module per command group."""
