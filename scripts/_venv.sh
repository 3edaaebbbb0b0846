# Sourced by the scripts: make .venv and install the project
# (with the extras in $VENV_EXTRAS) when .venv is missing or pyproject.toml changed since.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/_system_packages.sh
extras="${VENV_EXTRAS:-}"  # e.g. "test"; not $1, which holds the calling script's arguments
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $($python --version)" >&2
  "$python" -m venv .venv
fi
hash="$(sha256sum pyproject.toml | cut -c1-16)"
stamp=".venv/.installed-$hash${extras:+-$extras}"
if [ ! -f "$stamp" ]; then
  echo "Installing the project${extras:+ with [$extras]} into .venv" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras:+[$extras]}" >&2
  find .venv -maxdepth 1 -name '.installed-*' ! -name ".installed-$hash*" -delete
  touch "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
