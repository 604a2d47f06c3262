#!/usr/bin/env bash
# JMH micro-benchmarks of the hot paths: beacon parsing and validation, enrichment (geo + user
# agent), CSV writing of the export. Builds the test classes (which fetches the geo data), then runs
# JMH with the test classpath on a JDK 21+.
#   bench/jmh.sh                 # every benchmark
#   bench/jmh.sh Enrichment      # those whose name matches (JMH's regexp), plus any JMH options
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./mvnw -q test-compile -Dspotless.check.skip=true
./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$root/target/test-classpath.txt"
cp="$root/target/test-classes:$root/target/classes:$(cat "$root/target/test-classpath.txt")"
source "$root/scripts/jdk.sh"
jdk=$(pick_jdk)
exec "$jdk/bin/java" --enable-native-access=ALL-UNNAMED -Dplaylens.geo="$root/.cache/geo" \
  -cp "$cp" org.openjdk.jmh.Main "${@:-.*}"
