"""Driven adapters: implementations of the domain ports."""
