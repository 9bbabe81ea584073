"""``julep-async``: ``demo`` runs the sessions guide in memory; ``serve`` runs the backend over HTTP."""

from __future__ import annotations

import argparse
import sys

import anyio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="julep-async", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run the Julep sessions guide on the in-memory backend")
    serve = commands.add_parser("serve", help="serve the fake Julep backend over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (default: 8080; 0 = any free port)")
    serve.add_argument("--api-key", action="append", dest="api_keys", metavar="KEY",
                       help="accept only this key (repeatable); default: any key, each its own tenant")
    serve.add_argument("--seed", type=int, default=None, help="deterministic ids and timestamps")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import run_demo

        anyio.run(run_demo)
    else:
        from .server import serve as run_server

        run_server(args.host, args.port, api_keys=args.api_keys, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
