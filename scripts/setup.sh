#!/usr/bin/env bash
# Sets up everything eID Bridge needs on a Debian or Ubuntu machine, and only
# what is missing: system packages (PC/SC service, virtual card reader,
# SoftHSM2, browsers, compilers for the native npm modules), npm dependencies,
# and a running pcscd. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf '\033[31meid-bridge setup: %s\033[0m\n' "$*" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo); else SUDO=(); fi

# Why each package: pcscd + libpcsclite-dev: the smart-card service and the headers the pcsclite
# npm module builds against; vsmartcard-vpcd: the virtual reader the virtual eID card plugs into
# (must be installed before pcscd starts); softhsm2 + opensc: a software PKCS#11 token for tests;
# chromium + firefox-esr: the browsers the extension is tested in; build-essential + python3:
# node-gyp for pkcs11js, pcsclite and better-sqlite3; openssl: the OCSP responder the revocation
# tests start (openssl ocsp); procps: ps, which tests use to see what a run left behind;
# lintian: Debian's package checker, run on the .deb that npm run release builds (build-essential
# brings dpkg-dev and binutils' strip/objdump, which the release script also uses); postgresql:
# the server the backend's PostgreSQL tests start a cluster of their own with (initdb, pg_ctl);
# poppler-utils: pdfsig, the PDF signature checker the PAdES signing tests hold our signed PDFs to;
# libnss3-tools: certutil, which makes the NSS database trusting the test root that pdfsig reads;
# iproute2: ip, with which the virtual card gives its loopback address a quickack route (fast APDUs).
PACKAGES=(pcscd libpcsclite-dev vsmartcard-vpcd softhsm2 opensc chromium firefox-esr build-essential python3 pkg-config ca-certificates openssl procps lintian postgresql poppler-utils libnss3-tools iproute2)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing system packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ] && [ ${#SUDO[@]} -eq 0 ]; then fail "run as root or install sudo to install: ${missing[*]}"; fi
  "${SUDO[@]}" apt-get update -qq || fail "apt-get update failed: check the network connection to the package mirror"
  # Only vpcd's reader entry needs pcscd restarted; a pcscd already running without it is stopped first.
  if [[ " ${missing[*]} " == *" vsmartcard-vpcd "* ]] && pidof pcscd >/dev/null; then "${SUDO[@]}" pkill -x pcscd || true; fi
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} failed"
fi

command -v node >/dev/null || fail "Node.js is not installed: install Node.js 20.12 or newer (e.g. apt-get install nodejs on a distribution that ships it)"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=12)?0:1)' \
  || fail "Node.js $(node --version) is too old: eID Bridge needs 20.12 or newer"

# Dependencies install with their install scripts off: only our three native
# modules are then built, from source, here (no prebuilt binary is downloaded).
# package.json's allowScripts says the same for npm versions that read it.
NATIVE_MODULES=(better-sqlite3 pcsclite pkcs11js)
NATIVE_BINARIES=(node_modules/better-sqlite3/build/Release/better_sqlite3.node node_modules/pcsclite/build/Release/pcsclite.node node_modules/pkcs11js/build/Release/pkcs11.node)
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "Installing npm dependencies (install scripts off)"
  npm ci --ignore-scripts --no-audit --no-fund
  rm -f "${NATIVE_BINARIES[@]}"
fi
for binary in "${NATIVE_BINARIES[@]}"; do
  if [ ! -f "$binary" ]; then
    say "Building the native modules from source: ${NATIVE_MODULES[*]}"
    npm_config_build_from_source=true npm rebuild --foreground-scripts "${NATIVE_MODULES[@]}" >/dev/null \
      || fail "building ${NATIVE_MODULES[*]} failed: the compilers (build-essential, python3) and libpcsclite-dev must be installed"
    break
  fi
done

start_pcscd() {
  if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
    "${SUDO[@]}" systemctl start pcscd.socket pcscd.service || true
  fi
  if ! pidof pcscd >/dev/null; then
    # No systemd (containers, CI): run the daemon directly; it detaches by itself.
    "${SUDO[@]}" /usr/sbin/pcscd || fail "could not start pcscd"
  fi
  for _ in $(seq 1 50); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
  [ -S /run/pcscd/pcscd.comm ] || fail "pcscd did not open its socket /run/pcscd/pcscd.comm"
}
vpcd_listening() {
  for _ in $(seq 1 50); do
    [ -n "$(ss -Hltn 'sport = :35963')" ] && [ -n "$(ss -Hltn 'sport = :35964')" ] && return 0
    sleep 0.1
  done
  return 1
}

if ! pidof pcscd >/dev/null; then
  say "Starting the PC/SC service (pcscd)"
  start_pcscd
fi
# vpcd binds its ports 35963 and 35964 once, when pcscd starts, and drops the
# reader for good if one is taken. Both lie in Linux's ephemeral port range, so
# an outgoing connection can hold one at that moment (or leave it in TIME_WAIT
# for 60 s): start pcscd again until vpcd has its ports, for at most 80 s.
restarts=0
while ! vpcd_listening; do
  [ "$restarts" -lt 5 ] || fail "vpcd does not listen on ports 35963/35964 after starting pcscd: check that no other program uses them (ss -tanp)"
  [ "$restarts" -eq 0 ] || sleep 10
  say "Restarting pcscd: the virtual reader (vpcd) is not listening on 35963/35964"
  "${SUDO[@]}" pkill -x pcscd || true
  for _ in $(seq 1 50); do pidof pcscd >/dev/null || break; sleep 0.1; done
  start_pcscd
  restarts=$((restarts + 1))
done
say "Setup complete"
