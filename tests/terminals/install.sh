#!/usr/bin/env bash
# The real-terminal suite's system packages (Debian/Ubuntu): installed when missing, as root.
# Where apt-get is not available (or we are not root), say so loudly; the tests then skip with
# the same message (pytest -rs prints it), never silently.
set -euo pipefail
PACKAGES=(xvfb xterm mlterm kitty imagemagick xdotool)
TOOLS=(Xvfb xterm mlterm kitty import xdotool)
missing=()
for tool in "${TOOLS[@]}"; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "test-terminals: installing ${PACKAGES[*]} (missing: ${missing[*]})"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${PACKAGES[@]}" >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q "${PACKAGES[@]}" >/dev/null; }
  exit 0
fi
cat >&2 <<MSG
############################################################################################
# test-terminals: SKIPPED. Missing: ${missing[*]}. apt-get (as root) is not available here.
# Install the packages ${PACKAGES[*]} and run make test-terminals again.
############################################################################################
MSG
