#!/usr/bin/env bash
# Installs what the status page's browser test needs from Debian, when it is missing and this user may install it
# (root with apt-get, as on CI or a fresh container), so that the README's `./mvnw -B verify` alone runs every test:
# chromium and chromium-driver, for StatusPageBrowserTest (it drives /usr/bin/chromium through /usr/bin/chromedriver;
# as root a missing browser fails that test, so the build installs it first). The Python tests (coscale-run and the
# example worker) need python3 alone.
# As another user nothing is installed: the browser test skips and says so.
# Run by the build before the tests (phase process-test-classes); runs alone too. A second run installs nothing.
set -euo pipefail

packages=()
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  packages+=(chromium chromium-driver)
fi
[ ${#packages[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "src/test/debian/install.sh: installing ${packages[*]} (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
else
  echo "src/test/debian/install.sh: ${packages[*]} missing and apt-get is not usable as this user;" \
    "StatusPageBrowserTest skips" >&2
fi
