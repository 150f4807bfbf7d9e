#!/usr/bin/env bash
# Stages the generated files of the Debian package the way policy wants them: man pages, changelog
# and docs compressed with gzip -9n (no name or time stamp inside, so the package builds the same
# every time), the bash completion without a #! line (it is sourced, not run).
#   stage-deb.sh ROFF_DIR COMPLETION OUT_DIR
#     ROFF_DIR: the man pages Asciidoctor wrote; COMPLETION: picocli's completion script
set -euo pipefail
roff=$1
completion=$2
out=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out/man/man1" "$out/man/man5" "$out/doc" "$out/completions"
sed '1{/^#!/d}' "$completion" >"$out/completions/portcullis"
shopt -s nullglob
pages=("$roff"/*.1)
if [[ ${#pages[@]} -eq 0 || ! -f "$roff/portcullis.conf.5" ]]; then
  echo "stage-deb: no man pages in $roff" >&2
  exit 1
fi
for p in "${pages[@]}"; do
  gzip -9n <"$p" >"$out/man/man1/$(basename "$p").gz"
done
gzip -9n <"$roff/portcullis.conf.5" >"$out/man/man5/portcullis.conf.5.gz"
# a native package's changelog is changelog.gz
gzip -9n <"$here/deb/changelog" >"$out/doc/changelog.gz"
gzip -9n <"$here/../README.md" >"$out/doc/README.md.gz"
gzip -9n <"$here/../docs/protocol.md" >"$out/doc/protocol.md.gz"
