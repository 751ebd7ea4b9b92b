"""The load benchmark (`make bench`): not part of the service, never part of `make test`."""
