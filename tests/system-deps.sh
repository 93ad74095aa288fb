#!/usr/bin/env bash
# The programs some tests use that pip cannot install, from Debian's packages when this runs
# as root with apt (CI, a fresh container); otherwise it says which are missing and which
# tests will skip for it. `make test` runs it first, so a newcomer's run and CI's are one.
#   docker-compose  validates docker-compose.yml (no engine runs)   tests/test_compose.py
#   poppler-utils   pdftoppm renders the report's PDF pages           tests/test_report.py
#   postgresql      a real server for the escalation state            tests/test_store.py, test_state_init.py
#   chromium        the analyst view in a real headless browser       tests/test_browser.py
#   qemu-user       a CPU without VNNI, emulated, for the int8 graphs  tests/test_int8_avx2.py
# OpenSearch comes from Maven Central through the tests' own fixture (mvn, java).
set -uo pipefail
need=()
command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null || need+=(chromium)
command -v qemu-x86_64 >/dev/null || need+=(qemu-user)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${need[*]} (Debian packages the tests use)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null 2>&1 \
    && exit 0
  echo "could not install ${need[*]}"
fi
echo "missing ${need[*]}: the tests that need them will skip, each saying why (pytest -rs);" \
     "install them with: sudo apt-get install ${need[*]}"
