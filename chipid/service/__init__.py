"""The teller desk: a local ASGI service (JSON API, card events, the desk web page) over chipid's reader.

Needs the ``serve`` extra (Starlette + uvicorn): ``pip install 'chipid[serve]'``; ``import chipid`` never
imports this package. Start it with ``chipid serve``; build it in Python with::

    from chipid.service.app import create_app
    from chipid.service.config import ServiceConfig, new_token

    app = create_app(ServiceConfig(token=new_token(), sim_profile="default"))

See docs/ARCHITECTURE.md ("Desk service") for the security design and README.md for an integrator's example.
"""

from __future__ import annotations

__all__: list[str] = []
