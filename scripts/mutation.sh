#!/bin/sh
# npm run mutation [-- FOLDER...]: StrykerJS over src/mesh, src/envoy and src/xds, or the folders given.
set -e
# The one place the default folders are named: stryker.config.mjs and
# vitest.mutation.config.ts both read AMIME_MUTATE.
AMIME_MUTATE=src/mesh,src/envoy,src/xds
if [ "$#" -gt 0 ]; then
  AMIME_MUTATE=$(echo "$@" | tr ' ' ',' | sed 's#/,#,#g; s#/$##')
fi
export AMIME_MUTATE
exec npx stryker run stryker.config.mjs
