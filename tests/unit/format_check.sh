#!/bin/bash
# The C sources of xen/ and tools/ are formatted as .clang-format says:
# `make format-check` runs this; `clang-format -i FILE` fixes a file.
# Names each file that differs, with the first lines clang-format would
# change.
set -u
cd "$(dirname "$0")/../.."
command -v clang-format >/dev/null ||
    { echo "FAIL: clang-format is not installed (scripts/install-deps installs it)" >&2; exit 1; }
[ -f .clang-format ] || { echo "FAIL: .clang-format is missing" >&2; exit 1; }
files=$(find xen tools -name '*.[ch]' -type f | sort)
[ -n "$files" ] || { echo "FAIL: no C sources found under xen/ and tools/" >&2; exit 1; }
bad=0 n=0
for f in $files; do
    n=$((n + 1))
    if ! clang-format --style=file "$f" | cmp -s - "$f"; then
        bad=$((bad + 1))
        echo "not formatted: $f"
        clang-format --style=file "$f" | diff "$f" - | head -8 | sed 's/^/    /'
    fi
done
echo "format_check: $n files, $bad not formatted"
[ "$bad" = 0 ]
