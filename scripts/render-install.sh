#!/usr/bin/env bash
# Regenerates deploy/install.yaml: the default install (deploy/kubernetes) rendered by
# kustomize. Run `npm run gen` first when the model changed, so the CRDs are current.
# test/e2e/install-manifests.test.ts fails when the committed file is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
KUBECTL="${KUBECTL:-kubectl}"
tmp="$(mktemp deploy/.install.yaml.XXXXXX)"
trap 'rm -f "$tmp"' EXIT
"$KUBECTL" kustomize deploy/kubernetes >"$tmp"
chmod 644 "$tmp"
mv "$tmp" deploy/install.yaml
trap - EXIT
echo "wrote deploy/install.yaml"
