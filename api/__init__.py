"""How messages arrive in production: the FastAPI webhook service (routes, the inbox workers,
the follow-up scheduler). The inbox's storage is `storage/inbox/`; the commands are in `cli/`."""
