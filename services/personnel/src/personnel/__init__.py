"""Personnel: org units, CĐS officers, community technology teams."""
