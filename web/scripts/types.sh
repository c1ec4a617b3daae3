#!/usr/bin/env bash
# The app's TypeScript types of the API, generated from its OpenAPI document by openapi-typescript
# into src/api-types.ts; `--check` regenerates them aside and fails if the committed file drifted.
# Run from anywhere: `web/scripts/types.sh [--check]` (make web-types / make lint).
set -euo pipefail
web="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$web/../.venv/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" -c 'import json; from milestone.api.app import openapi_document; print(json.dumps(openapi_document(), indent=1, sort_keys=True))' > "$work/openapi.json"
"$web/node_modules/.bin/openapi-typescript" "$work/openapi.json" -o "$work/api-types.ts" --root-types --root-types-no-schema-prefix >/dev/null
{
  echo "// Generated from the API's OpenAPI document by web/scripts/types.sh (openapi-typescript)."
  echo "// Do not edit: run \`make web-types\`; \`make lint\` and the tests fail when this file drifts."
  cat "$work/api-types.ts"
} > "$work/out.ts"
if [ "${1:-}" = "--check" ]; then
  if ! diff -q "$work/out.ts" "$web/src/api-types.ts" >/dev/null; then
    echo "web/src/api-types.ts differs from the API's OpenAPI document: run \`make web-types\`" >&2
    diff -u "$web/src/api-types.ts" "$work/out.ts" | head -40 >&2 || true
    exit 1
  fi
else
  cp "$work/out.ts" "$web/src/api-types.ts"
fi
