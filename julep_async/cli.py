"""``julep-async``: ``demo`` runs the sessions guide in memory; ``serve`` runs the backend over HTTP.

Every error a user can cause (a bad argument, a port in use, an address that cannot be
bound) is one line on stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import NoReturn

import anyio

from . import __version__
from .exceptions import JulepError

DESCRIPTION = (
    "julep-async: the julep_async SDK's command line. 'demo' runs the Julep sessions guide "
    "on the in-memory backend; 'serve' serves that backend over HTTP."
)
USAGE_ERROR = 2
FAILED = 1


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: what is wrong, and where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def port(text: str) -> int:
    """A TCP port number, 0 to 65535 (0: any free port)."""
    try:
        number = int(text)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: must be a number from 0 to 65535")
    return number


def _reason(error: OSError) -> str:
    """What went wrong, in the system's words (``Address already in use``), without the
    address that asyncio repeats in its messages."""
    if isinstance(error.errno, int) and error.errno > 0:
        return os.strerror(error.errno)
    return error.strerror or str(error)  # a resolver error (socket.gaierror) has its own codes


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="julep-async", description=DESCRIPTION)
    top.add_argument("--version", action="version", version=f"julep-async {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="{demo,serve}")
    commands.add_parser("demo", help="run the Julep sessions guide on the in-memory backend",
                        description="Run the Julep sessions guide, end to end, on the in-memory backend.")
    serve = commands.add_parser("serve", help="serve the fake Julep backend over HTTP",
                                description="Serve the fake Julep backend over HTTP until Ctrl-C or SIGTERM.")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=port, default=8080, help="port (default: 8080; 0 = any free port)")
    serve.add_argument("--api-key", action="append", dest="api_keys", metavar="KEY",
                       help="accept only this key (repeatable); default: any key, each its own tenant")
    serve.add_argument("--seed", type=int, default=None, help="deterministic ids and timestamps")
    serve.add_argument("--call-tools", action="store_true",
                       help="the fake model calls every function tool a chat offers it (tool_choice auto or "
                            "left out) instead of replying with text")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "demo":
            from .demo import run_demo

            anyio.run(run_demo)
        else:
            from .server import serve as run_server

            run_server(args.host, args.port, api_keys=args.api_keys, seed=args.seed, call_tools=args.call_tools)
    except OSError as error:  # serve: the address is in use, not ours, or not resolvable
        what = f"cannot listen on {args.host}:{args.port}: " if args.command == "serve" else ""
        print(f"julep-async {args.command}: {what}{_reason(error)}", file=sys.stderr)
        return FAILED
    except JulepError as error:
        print(f"julep-async {args.command}: {error}", file=sys.stderr)
        return FAILED
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
