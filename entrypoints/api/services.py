"""Where the app keeps the services the composition root built: set once by the lifespan, read by
every route (no per-request resolution)."""

from fastapi import FastAPI, Request

from entrypoints.container import Services


def keep_services(app: FastAPI, services: Services) -> None:
    app.state.services = services


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services
