"""Training: programmes, plans, classes, certificates, drills."""
