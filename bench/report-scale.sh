#!/usr/bin/env bash
# `audit report` over a year of records (default 10 million, written once into target/bench/report-scale-N/):
# wall time and peak resident memory of the report's JVM, capped at -Xmx512m. Writes target/bench/report-scale.md.
#   bench/report-scale.sh [records]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl bench -am package
exec java -Xmx1g -cp bench/target/hc-bench-*-app.jar fr.hcbroker.bench.ReportScale "${1:-10000000}"
