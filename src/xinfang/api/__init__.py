"""The JSON API (django-ninja, OpenAPI at /api/docs): the same flows as the pages, through
the same actions, access and protection policy (issue 9)."""
