#!/usr/bin/env bash
# Records the class-data-sharing archive the launcher (./portcullis) gives short client commands:
# the classes a run of them loads (io.portcullis.cli.CdsTraining), already parsed and verified, are
# mapped from the archive instead of read from the jar. The JVM uses the archive only with the very
# jar it was recorded from (same path, size and time), so it is rebuilt with the jar.
#   scripts/cds-archive.sh JAR ARCHIVE
set -euo pipefail
jar=$(readlink -f "$1")
archive=$2
rm -f "$archive"
# the same JVM options as the launcher's short commands, so that the archive fits them
java -XX:ArchiveClassesAtExit="$archive" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData \
  -Xlog:cds=off -Xlog:cds+dynamic=off -cp "$jar" io.portcullis.cli.CdsTraining
[[ -s "$archive" ]] || { echo "cds-archive.sh: no archive written to $archive" >&2; exit 1; }

# The regex command's own archive beside it (ARCHIVE's name with -regex): the classes a run of
# `portcullis regex` over a log loads (picocli's model, the filter reader, the regex and date
# engines, the block scanner's threads), recorded from the shipped asterisk filter on its sample
# log. Only a speed-up: when it cannot be recorded the build goes on without it.
root=$(cd "$(dirname "$0")/.." && pwd)
regex_archive="${archive%.jsa}-regex.jsa"
rm -f "$regex_archive"
# the launcher's options for regex, so that the archive fits them
java -XX:ArchiveClassesAtExit="$regex_archive" -Xmx256m -XX:+UseSerialGC -Xlog:cds=off \
  -Xlog:cds+dynamic=off -jar "$jar" regex --threads 2 --timezone UTC --config "$root/config" \
  "$root/src/test/resources/filters/logs/asterisk" asterisk >/dev/null ||
  echo "cds-archive.sh: no regex archive (the regex command runs without it)" >&2
