#!/usr/bin/env bash
# Generates ChiboKit's Swift bindings from a built core library:
#   ios/generate-bindings.sh LIBRARY OUT_DIR [apple|linux]
# writes OUT_DIR/ChiboCore/{chibo_domain,chibo_core}.swift (compiled as ONE Swift module: the
# core's bindings use the domain's types) and OUT_DIR/ChiboFFI/{*.h, module.modulemap}, both
# FFI modules in one module map. For linux the module map's `use "Darwin"` becomes
# `use "SwiftGlibc"`. The generator is the workspace's own (target/<profile>/uniffi-bindgen,
# pinned to the core's uniffi), found beside LIBRARY unless UNIFFI_BINDGEN is set.
set -euo pipefail

lib=${1:?usage: generate-bindings.sh LIBRARY OUT_DIR [apple|linux]}
out=${2:?usage: generate-bindings.sh LIBRARY OUT_DIR [apple|linux]}
platform=${3:-apple}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bindgen=${UNIFFI_BINDGEN:-"$(dirname "$lib")/uniffi-bindgen"}
[ -x "$bindgen" ] || { echo "no uniffi-bindgen at $bindgen (cargo build -p uniffi-bindgen)" >&2; exit 1; }

raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
"$bindgen" generate --library "$lib" --language swift --no-format --metadata-no-deps \
    --config "$here/uniffi-swift.toml" --out-dir "$raw" >/dev/null

for f in chibo_domain.swift chibo_core.swift chibo_domainFFI.h chibo_coreFFI.h \
    chibo_domainFFI.modulemap chibo_coreFFI.modulemap; do
    [ -f "$raw/$f" ] || { echo "uniffi-bindgen did not write $f" >&2; exit 1; }
done

staged="$raw/out"
mkdir -p "$staged/ChiboCore" "$staged/ChiboFFI"
cp "$raw/chibo_domain.swift" "$raw/chibo_core.swift" "$staged/ChiboCore/"
cp "$raw/chibo_domainFFI.h" "$raw/chibo_coreFFI.h" "$staged/ChiboFFI/"
{
    cat "$raw/chibo_domainFFI.modulemap"
    echo
    cat "$raw/chibo_coreFFI.modulemap"
    echo
} >"$staged/ChiboFFI/module.modulemap"
case "$platform" in
    apple) ;;
    linux)
        sed 's/use "Darwin"/use "SwiftGlibc"/' "$staged/ChiboFFI/module.modulemap" >"$staged/ChiboFFI/module.modulemap.linux"
        mv "$staged/ChiboFFI/module.modulemap.linux" "$staged/ChiboFFI/module.modulemap"
        ;;
    *) echo "unknown platform $platform (apple or linux)" >&2; exit 2 ;;
esac

# Only changed files are replaced, so that an unchanged interface does not rebuild the
# bindings module (incremental builds compare modification times).
for dir in ChiboCore ChiboFFI; do
    mkdir -p "$out/$dir"
    for f in "$out/$dir"/*; do
        [ -e "$f" ] && [ ! -e "$staged/$dir/$(basename "$f")" ] && rm -f "$f"
    done
    for f in "$staged/$dir"/*; do
        cmp -s "$f" "$out/$dir/$(basename "$f")" || cp "$f" "$out/$dir/"
    done
done
