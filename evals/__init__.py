"""How Sílvia is graded: datasets of conversations, targets that replay them, metrics, reports."""
