"""``lapor demo`` (a simulated month of traffic and its SLA report) and ``lapor tour`` (the basics, shown)."""

from __future__ import annotations

import argparse

from lapor_core.cli._text import Console, whole_number

__all__ = ["add_demo_arguments", "add_tour_arguments", "demo", "tour"]

_MAX_SEED = 2**32 - 1


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``lapor demo``'s arguments to its subparser."""
    parser.add_argument("--seed", default="2026", help="random seed (default 2026)")
    parser.add_argument(
        "--url",
        default="sqlite:///build/demo/lapor-demo.db",
        help="store URL (default: a fresh SQLite file build/demo/lapor-demo.db)",
    )


def add_tour_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``lapor tour``'s arguments to its subparser."""
    parser.add_argument("--seed", default="2026", help="random seed (default 2026)")


def demo(args: argparse.Namespace, console: Console) -> int:
    """``lapor demo``: simulate a month of traffic on a store and print its SLA report."""
    from lapor_core._demo.tour import run_demo  # noqa: PLC0415 - keep `lapor --help` fast

    seed = whole_number(args.seed, "--seed", 0, _MAX_SEED)
    return run_demo(seed=seed, out=console.out, url=args.url)


def tour(args: argparse.Namespace, console: Console) -> int:
    """``lapor tour``: show tracking IDs, access keys and validation errors."""
    from lapor_core._demo.tour import run_tour  # noqa: PLC0415 - see demo

    return run_tour(seed=whole_number(args.seed, "--seed", 0, _MAX_SEED), out=console.out)
