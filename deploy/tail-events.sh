#!/usr/bin/env bash
# Prints the SCIM change events on Kafka (CloudEvents headers + JSON value) for a while, from the beginning.
# Usage: deploy/tail-events.sh [seconds]   (KAFKA_BOOTSTRAP_SERVERS, else the local stack's address)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" && -f target/local-stack.env ]]; then
  # shellcheck disable=SC1091
  source target/local-stack.env
fi
: "${KAFKA_BOOTSTRAP_SERVERS:?set KAFKA_BOOTSTRAP_SERVERS or start deploy/run-local.sh first}"
exec ./mvnw -q -B exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.scimledger.testinfra.EventTail \
  -Dexec.args="$KAFKA_BOOTSTRAP_SERVERS ${1:-20}"
