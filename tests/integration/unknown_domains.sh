#!/bin/bash
# Every verb that names a domain says which one it could not find.
. "$(dirname "$0")/../lib.sh"
hv_start
for verb in destroy pause unpause shutdown console; do
    expect_error "unknown domain 'nosuch'" "$HVCLI" $verb nosuch
done
expect_error "unknown domain '4242'" "$HVCLI" destroy 4242
expect_error "unknown domain '00000000-0000-0000-0000-000000000001'" \
    "$HVCLI" pause 00000000-0000-0000-0000-000000000001
expect_error "unknown domain 'nosuch'" "$HVCLI" list nosuch
expect_error "(unknown|usage|Usage)" "$HVCLI" frobnicate
hv_stop
# With hvd gone, hvcli says so.
expect_error "hvd is not running at $HVD_SOCKET" "$HVCLI" list
