#!/usr/bin/env bash
# Makes sure the system tools the test suite uses as oracles are present:
#   tshark and capinfos (read our captures), chromium (drives the web UI in end-to-end tests),
#   and for the real-network tests and benches: ping (iputils-ping), socat, ip (iproute2), gcc.
# Missing and running as root: installs them with apt-get, non-interactively.
# Missing and not root: stops with the exact install line. Never lets a test skip silently.
set -euo pipefail

missing=()
command -v tshark >/dev/null 2>&1 || missing+=(tshark)
command -v capinfos >/dev/null 2>&1 || missing+=(tshark)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v ping >/dev/null 2>&1 || missing+=(iputils-ping)
command -v socat >/dev/null 2>&1 || missing+=(socat)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
command -v tcpdump >/dev/null 2>&1 || missing+=(tcpdump)
# A real QEMU joins a lab through a stream attachment (test/attach/qemu-stream.test.ts).
command -v qemu-system-x86_64 >/dev/null 2>&1 || missing+=(qemu-system-x86)
# Fonts so that screenshots of the UI have readable text.
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)

[ ${#missing[@]} -eq 0 ] && exit 0
pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
line="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${pkgs}"

if [ "$(id -u)" -ne 0 ]; then
  echo "vswitch-lab tests need system tools that are missing: ${pkgs}" >&2
  echo "Install them as root, then run the tests again:" >&2
  echo "  echo 'wireshark-common wireshark-common/install-setuid boolean false' | sudo debconf-set-selections" >&2
  echo "  sudo sh -c '${line}'" >&2
  exit 1
fi

echo "Installing missing test tools: ${pkgs}" >&2
export DEBIAN_FRONTEND=noninteractive
# Keep dumpcap unprivileged and the install non-interactive.
echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends ${pkgs} >&2
