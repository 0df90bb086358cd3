# The iOS suite, on Linux: ChiboKit's non-UI targets (the generated Swift bindings and the
# pure-Swift Presentation layer) compiled with Debian trixie's `swiftlang` and tested with
# `swift test` (XCTest) against fakes and against the host-built core library.
#
# Swift is not installed on the host (bookworm): it lives in a `debootstrap --variant=minbase
# trixie` root under the tools cache, made once per machine; nothing from trixie touches the
# host. The checkout's sources are copied into that root (never bind-mounted, so that
# removing the root can never reach the checkout), /proc is mounted only while Swift runs.
# Source it after tests/lib/common.sh and tests/lib/tools.sh.

IOS_SRC="$ROOT/ios"
IOS_BUILD="$TARGET_DIR/ios"
SWIFT_ROOT="$TOOLS_DIR/swift-trixie"
# Bump when the root's package set changes: a root made by an older version is made again.
# libsodium-dev: the tests' Ed25519 keystore (CryptoKit does not exist on Linux).
SWIFT_ROOT_RECIPE="trixie minbase: swiftlang libc6-dev libsodium-dev (2)"
SWIFT_PACKAGES=(swiftlang libc6-dev libsodium-dev)
SWIFT_LIBS=/usr/libexec/swift/lib/swift/linux
DEBIAN_MIRROR="${CHIBO_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

# _swift_root_ready: the root exists and was made by this recipe. (Its /usr/bin/swift is an
# absolute symlink, which only resolves inside the root: test the real files.)
_swift_root_ready() {
    [ "$(cat "$SWIFT_ROOT/.chibo-recipe" 2>/dev/null)" = "$SWIFT_ROOT_RECIPE" ] \
        && [ -x "$SWIFT_ROOT/usr/libexec/swift/bin/swift-frontend" ] \
        && [ -f "$SWIFT_ROOT/usr/include/sodium.h" ]
}

# _unmount_under DIR: unmounts every mount point at or below DIR (deepest first). A root
# is never removed while something is mounted inside it.
_unmount_under() {
    local dir=$1 mp
    [ -d "$dir" ] || return 0
    dir=$(cd "$dir" && pwd -P)
    while read -r mp; do
        umount "$mp" 2>/dev/null || umount -l "$mp"
    done < <(awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r)
}

# _in_root ROOTDIR CMD...: runs CMD inside ROOTDIR with /proc mounted for its duration.
_in_root() {
    local rootdir=$1 status=0
    shift
    mkdir -p "$rootdir/proc"
    mountpoint -q "$rootdir/proc" || mount -t proc proc "$rootdir/proc" || return 1
    chroot "$rootdir" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive "$@" || status=$?
    umount "$rootdir/proc" 2>/dev/null || umount -l "$rootdir/proc" || true
    return "$status"
}

# ensure_swift_root: makes the trixie root with Swift once (about 10 minutes, 3 GB). It is
# built beside the final place and moved there only when complete, so an interrupted run
# leaves nothing that looks ready. Returns 1 (with the reason printed) when it cannot.
ensure_swift_root() {
    _swift_root_ready && return 0
    [ "$(id -u)" -eq 0 ] || {
        echo "making the Swift root needs root (debootstrap, chroot, mount)" >&2
        return 1
    }
    command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap || return 1
    local partial="$SWIFT_ROOT.partial"
    _unmount_under "$partial"
    _unmount_under "$SWIFT_ROOT"
    rm -rf "$partial"
    mkdir -p "$TOOLS_DIR"
    note "install: debootstrap --variant=minbase trixie into $partial ($DEBIAN_MIRROR)"
    debootstrap --variant=minbase trixie "$partial" "$DEBIAN_MIRROR" >"$LOG_DIR/ios-debootstrap.log" 2>&1 || {
        tail -n 30 "$LOG_DIR/ios-debootstrap.log" >&2
        echo "debootstrap of trixie failed (log: $LOG_DIR/ios-debootstrap.log)" >&2
        return 1
    }
    cp /etc/resolv.conf "$partial/etc/resolv.conf" 2>/dev/null || true
    note "install: apt-get install ${SWIFT_PACKAGES[*]} inside the root"
    if ! _in_root "$partial" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends ${SWIFT_PACKAGES[*]} && apt-get clean" \
        >"$LOG_DIR/ios-root-apt.log" 2>&1; then
        tail -n 30 "$LOG_DIR/ios-root-apt.log" >&2
        echo "installing ${SWIFT_PACKAGES[*]} into the trixie root failed (log: $LOG_DIR/ios-root-apt.log)" >&2
        return 1
    fi
    if ! _in_root "$partial" env LD_LIBRARY_PATH="$SWIFT_LIBS" swift --version; then
        echo "swift does not run inside the new root" >&2
        return 1
    fi
    echo "$SWIFT_ROOT_RECIPE" >"$partial/.chibo-recipe"
    rm -rf "$SWIFT_ROOT"
    mv "$partial" "$SWIFT_ROOT"
}

# _ios_stage DIR: copies ChiboKit's sources (not its .build, kept for incremental builds, nor
# Generated) into DIR inside the root.
_ios_stage() {
    local dir=$1
    mkdir -p "$dir/ChiboKit"
    rm -rf "$dir/ChiboKit/Package.swift" "$dir/ChiboKit/Sources" "$dir/ChiboKit/Tests"
    cp -a "$IOS_SRC/ChiboKit/Package.swift" "$IOS_SRC/ChiboKit/Sources" "$IOS_SRC/ChiboKit/Tests" "$dir/ChiboKit/"
}

# _ios_counts LOG: prints "PASSED FAILED" from XCTest's summary of all tests
# ("Executed N tests, with M failures", or "with K tests skipped and M failures").
_ios_counts() {
    local line run fails
    local skipped=0
    line=$(grep -A2 -E "^Test Suite '(All tests|.*\.xctest)' (passed|failed)" "$1" | grep -E 'Executed [0-9]+ tests?, with ' | tail -n 1 || true)
    if [ -z "$line" ]; then
        echo "0 0"
        return
    fi
    run=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$line")
    fails=$(sed -E 's/.* ([0-9]+) failures?.*/\1/' <<<"$line")
    if grep -qE '[0-9]+ tests? skipped' <<<"$line"; then
        skipped=$(sed -E 's/.* ([0-9]+) tests? skipped.*/\1/' <<<"$line")
    fi
    # A skipped test passed nothing; here every test has what it needs, so it counts as failed.
    echo "$((run - fails - skipped)) $((fails + skipped))"
}

# _ios_start_server: the commune server on a free loopback port with a throwaway SQLite
# folder, one commune and an office person's enrolment code, for RealServerTests. Sets
# IOS_SERVER_PID and IOS_SERVER_ENV (the variables the tests read). Returns 1 on failure.
_ios_start_server() {
    local dir="$IOS_BUILD/server" bin="$TARGET_DIR/debug/chibo-server" port commune code i
    rm -rf "$dir"
    mkdir -p "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') || return 1
    local server_env=(env CHIBO_DATA_DIR="$dir" CHIBO_LISTEN="127.0.0.1:$port" CHIBO_LOG=warn)
    commune=$("${server_env[@]}" "$bin" admin create-commune --name "Đảng bộ xã Thử" --province tinh-thu |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])') || return 1
    code=$("${server_env[@]}" "$bin" admin create-office --commune "$commune" --name "Lường Thị Hạnh" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["qr"])') || return 1
    "${server_env[@]}" "$bin" serve >"$LOG_DIR/ios-server.log" 2>&1 &
    IOS_SERVER_PID=$!
    for i in $(seq 1 300); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$port/api/v1/openapi.json" 2>/dev/null; then
            IOS_SERVER_ENV=(CHIBO_TEST_SERVER_URL="http://127.0.0.1:$port" CHIBO_TEST_OFFICE_CODE="$code" CHIBO_TEST_COMMUNE_ID="$commune")
            note "chibo-server on 127.0.0.1:$port (pid $IOS_SERVER_PID), commune $commune"
            return 0
        fi
        kill -0 "$IOS_SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    tail -n 20 "$LOG_DIR/ios-server.log"
    _ios_stop_server
    return 1
}

_ios_stop_server() {
    if [ -n "${IOS_SERVER_PID:-}" ]; then
        kill "$IOS_SERVER_PID" 2>/dev/null || true
        wait "$IOS_SERVER_PID" 2>/dev/null || true
        IOS_SERVER_PID=
    fi
}

ios_suite() {
    # One user of the Swift root at a time on this machine (another checkout's run mounts
    # /proc in it and shares its package cache).
    mkdir -p "$TOOLS_DIR"
    local lock_fd
    exec {lock_fd}>"$TOOLS_DIR/swift-root.lock"
    flock "$lock_fd"
    _ios_suite
    exec {lock_fd}>&-
}

_ios_suite() {
    local start status=0
    start=$(now)
    ensure_native_build

    section "ios: Swift root (debootstrap trixie + swiftlang, once per machine)"
    local t0
    t0=$(now)
    if ! ensure_swift_root; then
        note "FAILED: could not make the Swift root at $SWIFT_ROOT"
        record "ios-swift-root" 0 1 $(($(now) - t0))
        return
    fi
    note "$SWIFT_ROOT: $(cat "$SWIFT_ROOT/.chibo-recipe")"
    record "ios-swift-root" 1 0 $(($(now) - t0))

    section "ios: build core library and bindgen"
    if ! run_logged "ios-build" build_workspace_targets; then
        note "FAILED: cargo build of the core library"
        record "ios" 0 1 $(($(now) - start))
        return
    fi

    # One staging folder per checkout inside the root, so that two checkouts on one machine
    # never share a build; the root's own paths are what Swift sees.
    local key stage inner
    key=$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
    inner="/build/chibo-$key"
    stage="$SWIFT_ROOT$inner"

    section "ios: generate Swift bindings"
    t0=$(now)
    _ios_stage "$stage"
    mkdir -p "$stage/lib"
    cp "$TARGET_DIR/debug/$CORE_LIB_FILE" "$stage/lib/"
    if ! run_logged "ios-bindgen" "$IOS_SRC/generate-bindings.sh" "$TARGET_DIR/debug/$CORE_LIB_FILE" \
        "$stage/ChiboKit/Generated" linux; then
        note "FAILED: generate-bindings.sh"
        record "ios-bindgen" 0 1 $(($(now) - t0))
        return
    fi
    (cd "$stage/ChiboKit/Generated" && find . -type f | LC_ALL=C sort | sed 's|^\./|    generated: |')
    record "ios-bindgen" 1 0 $(($(now) - t0))
    rm -rf "$stage/fixtures"
    mkdir -p "$stage/fixtures"
    cp -a "$ROOT/../shared/fixtures/photos" "$stage/fixtures/"

    # The module boundary: Presentation is pure Swift (it builds here, so it cannot use
    # Apple's UI frameworks anyway; this says so plainly when someone tries).
    section "ios: module boundaries"
    t0=$(now)
    local leaks
    leaks=$(grep -rnE '^import (SwiftUI|UIKit|CoreLocation|AVFoundation|Security|CryptoKit|BackgroundTasks|UserNotifications)' \
        "$IOS_SRC/ChiboKit/Sources/Presentation" || true)
    if [ -z "$leaks" ]; then
        note "Presentation imports no Apple-only framework"
        record "ios-boundaries" 1 0 $(($(now) - t0))
    else
        printf '%s\n' "$leaks"
        note "FAILED: ios-boundaries"
        record "ios-boundaries" 0 1 $(($(now) - t0))
    fi

    local swift_env=(env LD_LIBRARY_PATH="$SWIFT_LIBS:$inner/lib" CHIBO_FIXTURES="$inner/fixtures")
    local link=(-Xlinker -L"$inner/lib" -Xlinker -rpath -Xlinker "$inner/lib")

    section "ios: compile ChiboKit (bindings, Presentation, test support, tests)"
    t0=$(now)
    if ! run_logged "ios-compile" _in_root "$SWIFT_ROOT" "${swift_env[@]}" sh -c \
        "cd '$inner/ChiboKit' && swift build --build-tests ${link[*]}"; then
        note "FAILED: swift build"
        record "ios-compile" 0 1 $(($(now) - t0))
        return
    fi
    record "ios-compile" 1 0 $(($(now) - t0))

    # The SwiftUI app cannot be compiled here (no SwiftUI, UIKit or CryptoKit on Linux); its
    # sources are at least parsed, so a syntax error shows here rather than on a Mac.
    section "ios: parse the SwiftUI app's sources (syntax only)"
    t0=$(now)
    rm -rf "$stage/App"
    mkdir -p "$stage/App"
    cp -a "$IOS_SRC/App/Sources" "$stage/App/"
    if run_logged "ios-app-parse" _in_root "$SWIFT_ROOT" "${swift_env[@]}" sh -c \
        "cd '$inner/App' && find Sources -name '*.swift' | sort | xargs swiftc -parse"; then
        record "ios-app-parse" 1 0 $(($(now) - t0))
    else
        note "FAILED: swiftc -parse of ios/App/Sources"
        record "ios-app-parse" 0 1 $(($(now) - t0))
    fi

    section "ios: run tests (XCTest on Linux, core library through the bindings)"
    t0=$(now)
    IOS_SERVER_ENV=()
    if ! _ios_start_server; then
        note "FAILED: could not start chibo-server for the real-server tests"
        record "ios-server" 0 1 $(($(now) - t0))
        return
    fi
    # The root shares the host's network: the tests reach the server on loopback.
    run_logged "ios-test" _in_root "$SWIFT_ROOT" "${swift_env[@]}" "${IOS_SERVER_ENV[@]}" sh -c \
        "cd '$inner/ChiboKit' && swift test --skip-build ${link[*]}" || status=$?
    _ios_stop_server
    local passed failed
    read -r passed failed < <(_ios_counts "$(log_of ios-test)")
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        note "FAILED: swift test (exit $status)"
        failed=1
    fi
    if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
        note "FAILED: swift test ran no test"
        failed=1
    fi
    record "ios" "$passed" "$failed" $(($(now) - t0))
    note "ios suite: $(($(now) - start))s"
}
