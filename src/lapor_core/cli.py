"""The ``lapor`` command line: ``lapor demo``, ``lapor due``, ``lapor calendar``, ...

Each subcommand is a small function taking the parsed arguments and an output stream, so tests call
:func:`main` with an argument list and read what it printed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

__all__ = ["main"]

Command = Callable[[argparse.Namespace, TextIO], int]


def _demo(args: argparse.Namespace, out: TextIO) -> int:
    from lapor_core.demo import run_demo  # noqa: PLC0415 - keep `lapor --help` fast

    return run_demo(seed=args.seed, out=out)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``lapor`` command."""
    parser = argparse.ArgumentParser(prog="lapor", description="SP4N-LAPOR! complaint handling toolkit.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="run the demonstration")
    demo.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the ``lapor`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Command = args.handler
    return handler(args, out if out is not None else sys.stdout)
