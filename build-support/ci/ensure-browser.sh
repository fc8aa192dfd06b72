#!/usr/bin/env bash
# Makes sure the browser test can run: Debian's Chromium and its chromedriver (Playwright's and
# Selenium's own browser downloads are not reachable here), and Node.js with npm for the web app.
# Installs what is missing with apt when it may; exits non-zero, naming what is missing, otherwise.
set -euo pipefail

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if ((${#missing[@]})); then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "ci: installing ${missing[*]} (Debian packages)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "ci: missing ${missing[*]}: install them (Debian: apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
echo "ci: $(chromium --version 2>/dev/null | head -n1), $(chromedriver --version | head -n1), node $(node --version)"
