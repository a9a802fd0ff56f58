"""asyncpg access to the projections: the writers the subscribers call, the queries the views read, the
projection schema switch of a rebuild, the snapshot store and the spreadsheet rendering of exports."""
