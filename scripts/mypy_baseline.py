"""mypy over src/ against a baseline that only shrinks.

    python scripts/mypy_baseline.py            # fail on any error not in the baseline, and on
                                               # baseline entries that are gone (shrink it)
    python scripts/mypy_baseline.py --update   # write the baseline anew: refused while there
                                               # are new errors, so it can only shrink
    python scripts/mypy_baseline.py --update --accept-new
                                               # also take new errors in (after a merge, say
                                               # why in the commit)

An entry is "path: message [code]" without the line number, so moving code does not matter.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scripts" / "mypy-baseline.txt"
LINE = re.compile(r"^(?P<path>[^:\s]+\.pyi?):(?P<line>\d+)(?::\d+)?: error: (?P<msg>.*)$")


def run_mypy() -> tuple[Counter, list[str]]:
    proc = subprocess.run(  # noqa: S603 - this interpreter's mypy over the fixed source folder
        [sys.executable, "-m", "mypy", "src"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode not in (0, 1) or "error: " not in proc.stdout and proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        sys.exit(f"mypy did not run (exit {proc.returncode})")
    found: Counter = Counter()
    lines = []
    for raw in proc.stdout.splitlines():
        m = LINE.match(raw)
        if m:
            found[key(m)] += 1
            lines.append(raw)
    return found, lines


def key(m: re.Match) -> str:
    return f"{m['path']}: {re.sub(r'line \d+', 'line N', m['msg'])}"


def read_baseline() -> Counter:
    if not BASELINE.exists():
        return Counter()
    return Counter(line for line in BASELINE.read_text("utf-8").splitlines() if line.strip())


def write_baseline(found: Counter) -> None:
    BASELINE.write_text("".join(f"{k}\n" for k in sorted(found.elements())), "utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--update", action="store_true", help="rewrite the baseline")
    parser.add_argument(
        "--accept-new", action="store_true", help="with --update: take new errors in"
    )
    args = parser.parse_args()

    found, lines = run_mypy()
    baseline = read_baseline()
    new = found - baseline
    gone = baseline - found

    if args.update:
        if new and not args.accept_new:
            print(f"{sum(new.values())} new mypy error(s); fix them (the baseline only shrinks):")
            _show(new, lines)
            return 1
        write_baseline(found)
        print(
            f"{BASELINE.relative_to(ROOT)}: {sum(found.values())} error(s) "
            f"({sum(gone.values())} fewer, {sum(new.values())} taken in)"
        )
        return 0

    status = 0
    if new:
        print(f"mypy: {sum(new.values())} new error(s), not in {BASELINE.relative_to(ROOT)}:")
        _show(new, lines)
        status = 1
    if gone:
        print(
            f"mypy: {sum(gone.values())} baseline error(s) are fixed; shrink the baseline with "
            "`python scripts/mypy_baseline.py --update` and commit it:"
        )
        for k in sorted(gone.elements())[:20]:
            print(f"  {k}")
        status = 1
    if not status:
        print(f"mypy: no new errors ({sum(found.values())} known in the baseline)")
    return status


def _show(new: Counter, lines: list[str]) -> None:
    left = Counter(new)
    for raw in lines:
        m = LINE.match(raw)
        if m and left[key(m)] > 0:
            # With several identical messages in one file, any of them may be the new one.
            print(f"  {raw}")
            left[key(m)] -= 1


if __name__ == "__main__":
    sys.exit(main())
