"""How the team watches Sílvia: metrics, health checks, alerts, reports, dashboard, takeover."""
