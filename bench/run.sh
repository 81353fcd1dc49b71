#!/usr/bin/env bash
# The benchmark: builds what it needs, installs its peers (nginx, wrk, Apache + mod_auth_openidc),
# logs 1 000 people in (password + TOTP) on the gateway, Apache and a 2-node gateway cluster, loads
# them with every answer checked, and writes target/bench/results.md and results.csv. Loopback only;
# about 20 minutes on 2 cores with 5 s points. A failure ends with one line saying which peer and what.
#   bench/run.sh [seconds-per-load-point] [sessions]   (defaults 8 and 1000; fewer sessions to try it)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-packages.sh nginx-light wrk apache2 libapache2-mod-auth-openidc
mvn -B -q -DskipTests -pl bench,stack,gateway -am package
exec java -Xmx2g -jar bench/target/hc-bench-*-app.jar "${1:-8}" "${2:-1000}"
