"""The HTTP routes of the webhook service: chat, health and webhook."""
