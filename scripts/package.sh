#!/usr/bin/env bash
# package.sh builds the Linux package of the Authdesk app: a tar.xz with the
# binary, the desktop entry and the icon, laid out for 'make install' under
# /usr/local (what 'fyne package --os linux' makes). Usage:
#
#   scripts/package.sh [OUTDIR]      (default dist/)
#
# fyne package reads its metadata only from FyneApp.toml in the folder it
# packages, so this script stages a folder with a copy of the top-level
# FyneApp.toml (name, app ID, version, build, Linux desktop-entry fields)
# whose icon path points at a copy of assets/icon.png, and a binary built
# here with the same build tags fyne would use ('release', and
# 'migrated_fynedo' because FyneApp.toml sets [Migrations] fyneDo = true).
# macOS and Windows packages: see "Packaging the app" in README.md.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/dist}
fyne_tool=${FYNE_TOOL:-fyne.io/tools/cmd/fyne@v1.7.4}
mkdir -p "$out"
out=$(cd "$out" && pwd)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

toml="$root/FyneApp.toml"
field() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*$/\1/p" "$toml" | head -1; }
name=$(field Name)
id=$(field ID)
version=$(field Version)
icon=$(field Icon)
[ -n "$name" ] && [ -n "$id" ] && [ -n "$version" ] && [ -n "$icon" ] || {
  echo "package.sh: $toml lacks Name, ID, Version or Icon" >&2; exit 1; }

# FyneApp.toml, with the icon beside it in the staging folder.
sed "s|^\([[:space:]]*Icon[[:space:]]*=[[:space:]]*\).*|\1\"icon.png\"|" "$toml" >"$stage/FyneApp.toml"
cp "$root/$icon" "$stage/icon.png"
# fyne package wants Go code in the folder even when given the binary.
printf '// Staging folder of scripts/package.sh; the binary is built from ./cmd/authdesk.\npackage main\n' >"$stage/stage.go"

tags=release
if grep -Eq '^[[:space:]]*fyneDo[[:space:]]*=[[:space:]]*true' "$toml"; then
  tags=release,migrated_fynedo
fi
exe=authdesk
echo "package.sh: building $name $version ($id) with tags $tags" >&2
(cd "$root" && go build -tags "$tags" -ldflags "-s -w" -o "$stage/$exe" ./cmd/authdesk)

(cd "$stage" && go run "$fyne_tool" package --os linux --exe "$exe" --release >&2)

pkg="$stage/$name.tar.xz"
[ -f "$pkg" ] || { echo "package.sh: fyne package made no $name.tar.xz" >&2; ls -la "$stage" >&2; exit 1; }
arch=$(go env GOARCH)
dest="$out/authdesk-$version-linux-$arch.tar.xz"
mv "$pkg" "$dest"
echo "$dest"
