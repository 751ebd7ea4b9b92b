"""Logs, metrics and traces of the running service: what an operator watches."""
