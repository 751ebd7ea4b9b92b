"""The HTTP methods the API answers, in one place: CORS allows them, a 405 lists those a path
takes, and authentication tells reads from writes by them."""

METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# HEAD is answered as GET (middleware/head.py): routes declare every method but it.
ROUTED_METHODS = tuple(method for method in METHODS if method != "HEAD")
# The methods whose requests carry a body the API reads (middleware/body_limits.py).
WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
