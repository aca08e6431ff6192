#!/usr/bin/env bash
# The test suite, as `./crm test` runs it (and CI, through .ci/run): installs the real servers
# the integration tests start themselves (PostgreSQL, Dovecot IMAP, an SMTP sink, Chromium; systemd for
# systemd-analyze; promtool), builds, runs every test project and ends with the runner's summary and
# "N passed, N failed".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

packages=(postgresql dovecot-imapd python3-aiosmtpd chromium fonts-dejavu-core systemd fonts-noto-cjk prometheus)
missing=()
# A package removed but not purged still has a status (config-files), so ask for "installed" itself.
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
  echo "test: installing ${missing[*]}…"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >/tmp/crm-apt.log 2>&1 || true
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>/tmp/crm-apt.log 2>&1 \
    || { cat /tmp/crm-apt.log; echo "test: could not install ${missing[*]}"; echo "0 passed, 1 failed"; exit 1; }
  # The tests start their own servers on free loopback ports; the system-wide ones are not needed.
  $SUDO service postgresql stop >/dev/null 2>&1 || true
  $SUDO service dovecot stop >/dev/null 2>&1 || true
  # prometheus is installed for promtool (the alert rules' tests); its server and node exporter are not needed.
  $SUDO service prometheus stop >/dev/null 2>&1 || true
  $SUDO service prometheus-node-exporter stop >/dev/null 2>&1 || true
fi

results="$ROOT/TestResults"
rm -rf "$results"; mkdir -p "$results"
log="$results/test-output.log"
dotnet build Crm.sln -c Debug -nologo -clp:ErrorsOnly 2>&1 | tee "$results/build.log" | tail -n 30
build_status=${PIPESTATUS[0]}
if [ "$build_status" -ne 0 ]; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test Crm.sln --no-build -nologo --results-directory "$results" --logger "trx" "$@" 2>&1 | tee "$log"
test_status=${PIPESTATUS[0]}

# Sum the per-assembly summaries ("Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12").
sum() { grep -oE "$1: +[0-9]+" "$log" | awk '{ s += $2 } END { print s + 0 }'; }
passed=$(sum Passed)
failed=$(sum Failed)
skipped=$(sum Skipped)
if [ "$test_status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "test artifacts (screenshots, trx): $results"
[ "$skipped" -gt 0 ] && echo "$skipped skipped"
echo "${passed} passed, ${failed} failed"
exit "$test_status"
