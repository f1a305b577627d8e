"""`python -m cli ...` runs the `silvia` command (the tests use it to run the CLI from a checkout)."""

from cli.main import app

app()
