#!/usr/bin/env bash
# Re-create src/xinfang/web/static/vendor/ from the npm registry (no build step: the pages
# load these files as they are). Bump a version here, run it, commit the result.
# The sourceMappingURL comments are removed: the .map files are not shipped, and a missing
# map breaks the hashed static-files storage.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/xinfang/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() {  # package@version -> unpacked package folder
    (cd "$work" && npm pack --silent "$1" >/dev/null)
    local tgz
    tgz=$(ls "$work"/*.tgz)
    mkdir -p "$work/x" && tar xzf "$tgz" -C "$work/x" && rm "$tgz"
}

rm -rf "$dest" && mkdir -p "$dest"

fetch bootstrap@5.3.8
mkdir -p "$dest/bootstrap-5.3.8"
cp "$work"/x/package/dist/css/bootstrap.min.css "$work"/x/package/dist/js/bootstrap.bundle.min.js \
   "$work"/x/package/LICENSE "$dest/bootstrap-5.3.8/"
rm -rf "$work/x"

fetch htmx.org@2.0.11
mkdir -p "$dest/htmx-2.0.11"
cp "$work"/x/package/dist/htmx.min.js "$work"/x/package/LICENSE "$dest/htmx-2.0.11/"
rm -rf "$work/x"

fetch echarts@6.1.0
mkdir -p "$dest/echarts-6.1.0"
cp "$work"/x/package/dist/echarts.min.js "$work"/x/package/LICENSE "$work"/x/package/NOTICE \
   "$dest/echarts-6.1.0/"
rm -rf "$work/x"

sed -i '/sourceMappingURL=/d' "$dest"/*/*.js "$dest"/*/*.css
echo "vendored into $dest:"
ls -R "$dest"
