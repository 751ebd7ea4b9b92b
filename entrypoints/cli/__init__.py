"""The `items` command: a second driving adapter, calling the same use-cases as the REST API."""
