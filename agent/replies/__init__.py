"""What Sílvia says: reply drafts, the versioned templates and the approved WhatsApp templates."""
