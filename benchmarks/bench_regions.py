"""Region data: loading the shipped CSVs and looking codes and names up.

Loading is compared with the simplest thing that could work: ``csv.DictReader`` into plain dicts keyed by
code, without any checking. ``RegionTable.from_csv`` also validates every cell and builds the parent/child
index, and must stay under 50 ms.
"""

from __future__ import annotations

import csv
import io
import random
import time
from collections.abc import Callable
from importlib import resources

from benchmarks._timing import per_second, report
from lapor_core import RegionTable

_FOLDER = resources.files("lapor_core") / "data" / "regions"
_FILES = ("provinces.csv", "regencies.csv", "districts.csv")


def _load_dictreader() -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for name in _FILES:
        text = (_FOLDER / name).read_text(encoding="utf-8")
        for row in csv.DictReader(io.StringIO(text, newline="")):
            rows[row["code"]] = row
    return rows


def _load_table() -> RegionTable:
    return RegionTable.from_csv(*(_FOLDER / name for name in _FILES))


def _best_ms(load: Callable[[], object], repeat: int = 7) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        load()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> None:
    dict_ms = _best_ms(_load_dictreader)
    table_ms = _best_ms(_load_table)
    print("load all three CSVs (best of 7):")
    print(f"  csv.DictReader into dicts (no checks)   {dict_ms:6.1f} ms")
    print(f"  RegionTable.from_csv (validated, index) {table_ms:6.1f} ms   budget 50 ms")

    table = _load_table()
    plain = _load_dictreader()
    rng = random.Random(2026)
    regions = list(table)
    dotted = [rng.choice(regions).code for _ in range(10_000)]
    undotted = [code.replace(".", "") for code in dotted]
    unknown = [f"{code}9" if len(code) < 8 else code[:-2] + "99" for code in dotted]

    def dict_get(count: int) -> None:
        for code in dotted[:count]:
            plain[code]

    def table_get(count: int) -> None:
        for code in dotted[:count]:
            table.get(code)

    def table_get_undotted(count: int) -> None:
        for code in undotted[:count]:
            table.get(code)

    def table_find_unknown(count: int) -> None:
        for code in unknown[:count]:
            table.find(code)

    def table_timezone(count: int) -> None:
        for code in dotted[:count]:
            table.timezone_of(code)

    print("lookups (best of 5 runs of 10,000):")
    report(
        [
            ("dict[code] on DictReader rows", per_second(dict_get, 10_000)),
            ("RegionTable.get(dotted)", per_second(table_get, 10_000)),
            ("RegionTable.get(undotted)", per_second(table_get_undotted, 10_000)),
            ("RegionTable.find(unknown)", per_second(table_find_unknown, 10_000)),
            ("RegionTable.timezone_of", per_second(table_timezone, 10_000)),
        ],
        unit="lookups/s",
    )

    started = time.perf_counter()
    table.search("bandung")
    index_ms = (time.perf_counter() - started) * 1000
    queries = ["kota bandung", "Jakarta Selatan", "bandung", "makassar", "kab. sleman", "gambir"]

    def search(count: int) -> None:
        for i in range(count):
            table.search(queries[i % len(queries)])

    print(f"name search: first call builds the index in {index_ms:.1f} ms, then")
    report([("RegionTable.search", per_second(search, 60, repeat=3))], unit="searches/s")


if __name__ == "__main__":
    main()
