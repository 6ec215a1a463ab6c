# Sourced by scripts/run and scripts/test: find Python 3.12+, make .venv, install the project
# and its front-end files. Safe to run again; it only does what is missing or out of date.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
  local candidates=(python3.13 python3.12 python3)
  for c in "${candidates[@]}"; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  # Machines with pyenv keep newer interpreters beside the default one.
  local root="${PYENV_ROOT:-$HOME/.pyenv}"
  for v in "$root"/versions/3.13* "$root"/versions/3.12*; do
    if [ -x "$v/bin/python3" ]; then echo "$v/bin/python3"; return 0; fi
  done
  echo "Gongxiao needs Python 3.12 or newer (Django 6.1 requires it); none was found." >&2
  return 1
}

extras="${1:-}"
if [ ! -x .venv/bin/python ]; then
  PY="$(find_python)"
  echo "Creating .venv with $PY"
  "$PY" -m venv .venv
fi
# Exactly the locked versions, each checked against its hash (scripts/lock refreshes the
# files), then the project itself without letting pip pick anything more.
lock="requirements/${extras:-runtime}.txt"
stamp=".venv/.installed${extras:+-$extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --require-hashes -r "$lock"
  .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
  touch "$stamp"
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
.venv/bin/python scripts/build_static.py >/dev/null
export PATH="$ROOT/.venv/bin:$PATH"
