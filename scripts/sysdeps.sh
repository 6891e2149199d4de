#!/usr/bin/env bash
# Install the Debian packages Gongzhi needs, when they are missing.
#   fonts-noto-cjk        Chinese text in signed PDFs (a missing font renders boxes)
#   libharfbuzz-subset0   font subsetting for WeasyPrint (~20x faster with it)
#   poppler-utils         pdfsig / pdffonts / pdftoppm, used by checks and tests
#   gettext               compilemessages for the English translation
# Extra packages (e.g. chromium for the browser suite) come from $SYSDEPS_EXTRA.
# As root it installs them; otherwise it prints the command to run and carries on.
set -euo pipefail

packages=(fonts-noto-cjk libharfbuzz-subset0 poppler-utils gettext)
# shellcheck disable=SC2206
packages+=(${SYSDEPS_EXTRA:-})

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "sysdeps: missing Debian packages: ${missing[*]}" >&2
  echo "sysdeps: install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 0
fi

echo "sysdeps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
fc-cache -f >/dev/null 2>&1 || true
