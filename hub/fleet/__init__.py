"""The fleet: each edge's status reports (POST /v1/edge/health), kept as a bounded history, and the
red/amber/green rating the hub's admins read (`throughgate hub edges health`, `hub edges show`)."""
