"""``chipid serve``: the teller desk service (JSON API + desk page) on this PC."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from chipid.errors import ConfigurationError, UnsupportedError

__all__ = ["register"]


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="the teller desk: a local web service and page for browser-based systems")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1; any other needs --tls-cert and --tls-key)")
    p.add_argument("--port", type=int, default=8470, help="TCP port (default 8470)")
    p.add_argument("--sim", nargs="?", const="default", metavar="PROFILE",
                   help="serve the in-process virtual chip (built-in card, or a saved profile) instead of PC/SC")
    p.add_argument("--fault", action="append", default=[], metavar="NAME[=VALUE]",
                   help="with --sim: a fault of the virtual chip, as for 'chipid sim serve' (e.g. delay_ms=40)")
    p.add_argument("--token-file", type=Path, metavar="F",
                   help="read the access token from F (mode 0600), or create F with a new one")
    p.add_argument("--allow-origin", action="append", default=[], metavar="URL",
                   help="a web origin (https://bank.example) allowed to call the API (repeatable)")
    p.add_argument("--trust", action="append", type=Path, default=[], metavar="PATH",
                   help="CSCA certificates: PEM/DER file or folder, master list, LDIF, CRL (repeatable)")
    p.add_argument("--ttl", type=float, default=300.0, metavar="S",
                   help="seconds a finished read is kept in memory before it is wiped (default 300)")
    p.add_argument("--tls-cert", type=Path, metavar="PEM", help="TLS certificate (HTTPS)")
    p.add_argument("--tls-key", type=Path, metavar="PEM", help="TLS private key (HTTPS)")
    p.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    p.set_defaults(func=cmd_serve, _parser=p)


def _imports() -> tuple[Any, Any]:
    try:
        import uvicorn

        from chipid.service.app import create_app
    except ImportError as err:
        raise UnsupportedError(f"'chipid serve' needs the serve extra: pip install 'chipid[serve]' ({err.name} "
                               "is missing)") from err
    return uvicorn, create_app


def cmd_serve(args: argparse.Namespace) -> int:
    from chipid.cli._sim import parse_faults
    from chipid.service.config import ServiceConfig, default_trust_dir, load_or_create_token, new_token

    parser: argparse.ArgumentParser = args._parser
    created = True
    try:
        if args.token_file is not None:
            token, created = load_or_create_token(args.token_file)
        else:
            token = new_token()
        if args.fault and not args.sim:
            raise ConfigurationError("--fault applies to the virtual chip: give --sim too")
        faults = parse_faults(args.fault) if args.fault else None
        trust = tuple(args.trust)
        if not trust and not args.sim and default_trust_dir().is_dir():
            trust = (default_trust_dir(),)  # the store 'chipid trust add' fills, as for 'chipid read'
        for path in trust:
            if not path.exists():
                raise ConfigurationError(f"--trust {path} does not exist")
        config = ServiceConfig(
            token=token, host=args.host, port=args.port, sim_profile=args.sim, sim_faults=faults,
            trust_paths=trust,
            allow_origins=tuple(args.allow_origin), ttl_s=args.ttl, tls_cert=args.tls_cert, tls_key=args.tls_key,
        )
    except (ConfigurationError, OSError) as err:
        parser.error(str(err))
    uvicorn, create_app = _imports()
    log = logging.getLogger("chipid.service")  # job ids, readers, verdicts, timings: never personal data
    log.setLevel(args.log_level.upper())
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
    log.addHandler(handler)
    app = create_app(config)
    print(f"chipid desk service on {config.scheme}://{config.host}:{config.port} "
          f"({'virtual chip' if config.sim_profile else 'PC/SC readers'})")
    if created:
        # printed once: the token is in the URL fragment, which the browser never sends to the server
        print(f"Desk page (keep this link private): {config.page_url()}")
        if args.token_file is not None:
            print(f"The access token is saved in {args.token_file} (mode 0600)")
    else:
        print(f"Desk page: {config.page_url().split('#')[0]}#token=<the token in {args.token_file}>")
    store = app.state.desk.source.trust
    if store is None or not len(store):
        print("Warning: no CSCA certificates (give --trust or run 'chipid trust add'): verdicts stay INCOMPLETE")
    else:
        where = ", ".join(map(str, config.trust_paths)) or "the virtual card's test CSCA"
        print(f"Trust: {len(store)} certificate(s) from {where}")
    if config.sim_profile:
        profile = app.state.desk.source.profile
        print(f"Virtual card (synthetic test data): CAN {profile.can}")
    sys.stdout.flush()
    uvicorn.run(app, host=config.host, port=config.port, log_level=args.log_level, server_header=False,
                ws_max_size=64 * 1024,  # the page sends nothing on the socket: small frames only
                ssl_certfile=str(config.tls_cert) if config.tls_cert else None,
                ssl_keyfile=str(config.tls_key) if config.tls_key else None)
    return 0
