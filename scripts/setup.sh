#!/usr/bin/env bash
# Create .venv with the pinned dependencies (requirements.lock) and the project itself.
# With --system, also install the Debian packages the tests and documents need
# (chromium for the browser test, fonts-noto-cjk for Chinese glyphs, poppler-utils for
# pdftotext/pdftoppm, dovecot-imapd for the mailbox tests' IMAP server on loopback; its
# system service is not needed: the tests start their own). Safe to run again: it only
# does what is missing. With --lint, also create .venv-lint for sqlfluff and its dbt
# templater (requirements-lint.lock): sqlfluff pins click<8.5, which Dagster's pin
# (click 8.5) excludes, so it cannot share .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

want_system=0
want_lint=0
for arg in "$@"; do
  case "$arg" in
    --system) want_system=1 ;;
    --lint) want_lint=1 ;;
    -h|--help) echo "usage: scripts/setup.sh [--system] [--lint]"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "Python 3.11 is required (found $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum requirements.lock pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "==> installing pinned dependencies (first time: about 1-2 minutes)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.lock
  .venv/bin/python -m pip install --quiet --no-deps -e .
  rm -f .venv/.installed-*
  touch "$stamp"
fi

if [ "$want_lint" = 1 ]; then
  lint_stamp=.venv-lint/.installed-$(sha256sum requirements-lint.lock | cut -c1-16)
  if [ ! -f "$lint_stamp" ]; then
    echo "==> creating .venv-lint (sqlfluff with the dbt templater)"
    [ -x .venv-lint/bin/python ] || "$PYTHON" -m venv .venv-lint
    .venv-lint/bin/python -m pip install --quiet -r requirements-lint.lock
    rm -f .venv-lint/.installed-*
    touch "$lint_stamp"
  fi
fi

if [ "$want_system" = 1 ]; then
  missing=()
  for pkg in chromium fonts-noto-cjk fonts-arphic-ukai poppler-utils dovecot-imapd; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing Debian packages: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi
echo "==> environment ready: .venv"
