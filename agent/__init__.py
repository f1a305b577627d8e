"""What Sílvia thinks and says: state, stage nodes, intent, economics, bills, templates, guard."""
