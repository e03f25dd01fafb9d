"""``create_app(config)``: the Starlette application of the desk service (API, events, desk page).

Starlette rather than FastAPI: the service has ten routes and one security middleware that must see every
request before routing, and its JSON is chipid's own (``to_dict``) rather than pydantic models, so FastAPI's
value (validation and OpenAPI generated from models) would come with pydantic as a second schema language.
The OpenAPI document is written by hand and checked against the routes by a test.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from chipid.service.api import Desk, routes
from chipid.service.cards import CardMonitor, CardSource, make_source
from chipid.service.config import ServiceConfig
from chipid.service.jobs import JobStore
from chipid.service.security import Guard

__all__ = ["STATIC", "create_app"]

STATIC = Path(__file__).with_name("static")
_LOG = logging.getLogger("chipid.service")
_SWEEP_S = 1.0


async def _page(request: Request) -> FileResponse:
    return FileResponse(STATIC / "desk.html", media_type="text/html; charset=utf-8")


def create_app(config: ServiceConfig, *, source: CardSource | None = None,
               clock: Callable[[], float] | None = None) -> Starlette:
    """Build the app. ``source`` defaults to the one ``config`` names (PC/SC or ``--sim``); ``clock`` is the
    job store's monotonic clock (tests inject one to expire documents)."""
    card_source = (source if source is not None
                   else make_source(config.sim_profile, config.trust_paths, config.sim_faults))
    store = JobStore(config.ttl_s) if clock is None else JobStore(config.ttl_s, clock=clock)
    desk = Desk(config, card_source, store)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        desk.hub.loop = asyncio.get_running_loop()
        monitor = None
        if card_source.mode == "pcsc":
            monitor = CardMonitor(card_source, desk.hub.publish_threadsafe, config.card_poll_s)
            await asyncio.get_running_loop().run_in_executor(None, monitor.start)

        async def sweeper() -> None:
            while True:
                await asyncio.sleep(_SWEEP_S)
                if store.sweep():
                    _LOG.info("wiped expired documents; %d kept", len(store))

        task = asyncio.create_task(sweeper())
        try:
            yield
        finally:
            task.cancel()
            if monitor is not None:
                monitor.stop()
            desk.workers.shutdown(wait=False, cancel_futures=True)
            desk.hub.loop = None

    app = Starlette(
        routes=[Route("/", _page, methods=["GET"]), *routes,
                Mount("/assets", StaticFiles(directory=STATIC), name="assets")],
        middleware=[
            Middleware(Guard, config=config, sessions=desk.sessions),
            Middleware(CORSMiddleware, allow_origins=list(config.allow_origins),
                       allow_methods=["GET", "POST", "DELETE"], allow_headers=["Authorization", "Content-Type"],
                       max_age=600),
        ],
        lifespan=lifespan,
    )
    app.state.desk = desk
    return app
