#!/usr/bin/env bash
# Builds the core for iPhones (aarch64-apple-ios) and the simulator on Apple silicon
# (aarch64-apple-ios-sim) as static libraries, packs them with the FFI headers into
# ios/ChiboKit/Generated/ChiboFFI.xcframework, and generates the Swift bindings into
# ios/ChiboKit/Generated/ChiboCore. Then open ios/App/Chibo.xcodeproj (or ios/ChiboKit's
# Package.swift) in Xcode.
#
#   ios/build-xcframework.sh [--debug]
#
# Needs macOS with Xcode (xcodebuild) and rustup; the two targets are added when missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/ChiboKit/Generated"
profile=release
[ "${1:-}" = "--debug" ] && profile=dev
profile_dir=$([ "$profile" = dev ] && echo debug || echo release)
targets=(aarch64-apple-ios aarch64-apple-ios-sim)

[ "$(uname -s)" = Darwin ] || { echo "build-xcframework.sh needs macOS with Xcode" >&2; exit 1; }
command -v xcodebuild >/dev/null || { echo "xcodebuild not found: install Xcode" >&2; exit 1; }

cd "$root"
rustup target add "${targets[@]}" >/dev/null
# The deployment target the C parts (SQLCipher with libtomcrypt, libjpeg-turbo) are
# compiled for, as the app's.
export IPHONEOS_DEPLOYMENT_TARGET=16.0
for target in "${targets[@]}"; do
    echo "==> core for $target ($profile)"
    cargo rustc -p chibo-core --lib --crate-type staticlib --profile "$profile" --target "$target"
done

# The bindings come from a host build of the same crate: the exported interface does not
# depend on the target. Built with the generator in one invocation, as tests/run does.
echo "==> Swift bindings"
cargo build -p chibo-core -p uniffi-bindgen
"$here/generate-bindings.sh" "$root/target/debug/libchibo_core.dylib" "$out" apple

echo "==> XCFramework"
rm -rf "$out/ChiboFFI.xcframework"
args=()
for target in "${targets[@]}"; do
    args+=(-library "$root/target/$target/$profile_dir/libchibo_core.a" -headers "$out/ChiboFFI")
done
xcodebuild -create-xcframework "${args[@]}" -output "$out/ChiboFFI.xcframework"
echo "wrote $out/ChiboFFI.xcframework and $out/ChiboCore"
