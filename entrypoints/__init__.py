"""Driving adapters (REST API, CLI) and the composition root that wires everything."""
