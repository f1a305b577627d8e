"""The `silvia` command: every sub-command, mounted in `cli.main`."""
