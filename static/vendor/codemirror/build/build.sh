#!/bin/sh
# Rebuild ../codemirror.bundle.js (committed, so `make run` needs no build) from the exact
# npm packages in package-lock.json, and gather their licences into ../LICENSES.txt.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
./node_modules/.bin/esbuild entry.js --bundle --format=esm --minify --target=es2020 \
  --legal-comments=none --outfile=../codemirror.bundle.js
{
  echo "Licences of the npm packages bundled into codemirror.bundle.js (see package-lock.json for versions)."
  for licence in node_modules/codemirror/LICENSE node_modules/@codemirror/*/LICENSE node_modules/@lezer/*/LICENSE node_modules/@marijn/*/LICENSE \
      node_modules/crelt/LICENSE node_modules/style-mod/LICENSE node_modules/w3c-keyname/LICENSE; do
    [ -f "$licence" ] || continue
    package=$(dirname "$licence" | sed 's#node_modules/##')
    version=$(node -p "require('./node_modules/$package/package.json').version")
    printf '\n==== %s %s ====\n\n' "$package" "$version"
    cat "$licence"
  done
} > ../LICENSES.txt
