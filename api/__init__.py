"""How messages arrive: the terminal chat and demo, and (later) the FastAPI webhook service."""
