"""How the team watches Sílvia: metrics, health checks, alerts, reports, dashboard, takeover routes
(the queries they read are repositories in `storage/`)."""
