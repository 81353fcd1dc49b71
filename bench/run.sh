#!/usr/bin/env bash
# The benchmark: builds what it needs, installs its peers (nginx, wrk, Apache + mod_auth_openidc) and
# writes target/bench/results.md and results.csv. Loopback only; about 5 minutes on 2 cores.
#   bench/run.sh [seconds-per-load-point]   (default 8)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-packages.sh nginx-light wrk apache2 libapache2-mod-auth-openidc
mvn -B -q -DskipTests -pl bench,stack,gateway -am package
exec java -Xmx2g -jar bench/target/hc-bench-*-app.jar "${1:-8}"
