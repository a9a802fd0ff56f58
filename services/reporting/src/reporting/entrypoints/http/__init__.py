"""HTTP entrypoints: routes, query parameters, response models and the dashboard."""
