"""Response models of the HTTP views: the shapes the routes answer, the registry validates and snapshots freeze."""
