#!/bin/sh
# npm run mutation [-- FOLDER...]: StrykerJS over src/mesh, src/envoy and src/xds, or the folders given.
set -e
if [ "$#" -gt 0 ]; then
  AMIME_MUTATE=$(echo "$@" | tr ' ' ',' | sed 's#/,#,#g; s#/$##')
  export AMIME_MUTATE
fi
exec npx stryker run stryker.config.mjs
