#!/usr/bin/env bash
# Makes sure Prometheus and promtool (Debian's package) are installed: the dashboards' proof and the alert
# rule tests run against the real thing. Idempotent; installs only when missing.
set -euo pipefail
if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  echo "[prometheus] OK: $(prometheus --version 2>&1 | head -n 1)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "[prometheus] Prometheus and promtool are missing. Install them once: sudo apt-get install -y prometheus" >&2
  exit 1
fi
echo "[prometheus] installing Debian's prometheus (once) …"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
# The package starts a system service we do not want: the tests start their own on free ports.
if command -v systemctl >/dev/null 2>&1; then systemctl stop prometheus >/dev/null 2>&1 || true; fi
pkill -x prometheus >/dev/null 2>&1 || true
echo "[prometheus] OK: $(prometheus --version 2>&1 | head -n 1)"
