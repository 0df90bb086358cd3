# A real S3 server for the photo-storage suite: versitygw (the Versity S3 Gateway,
# Apache-2.0), built from the Go module proxy into $TOOLS_DIR and run on loopback over a
# throwaway directory (its posix backend: each object a file, published by an atomic
# link, SHA-256 checksums verified). Source it after tests/lib/common.sh and
# tests/lib/tools.sh.
#
# Why versitygw: one static binary, started in well under a second, with nothing to
# configure but a key pair; the build is ~1.5 min once (then cached). OpenStack Swift's
# s3api from Debian needs four daemons, rings and an xattr-capable filesystem; SeaweedFS
# builds for several minutes; moto is a mock.
#
#   ensure_s3     builds versitygw when missing, starts it on a free 127.0.0.1 port with a
#                 fresh bucket, and exports CHIBO_TEST_S3_URL
#                 (s3+http://KEY:SECRET@127.0.0.1:PORT/BUCKET, read by the tests through
#                 chibo_server::blobs::BlobStoreConfig::for_tests). Stopped and deleted when
#                 the shell exits. Returns non-zero, with the reason, when it cannot.
#   stop_s3       stops it and deletes its data now (idempotent).
#   s3_suite      the server's blob, tus and photo tests, and the end-to-end photo sync,
#                 on that bucket, plus the S3-only tests (tus.rs `on_s3::`).

VERSITYGW_VERSION="v1.8.0"
VERSITYGW_MODULE="github.com/versity/versitygw/cmd/versitygw"
VERSITYGW_HOME="$TOOLS_DIR/versitygw-$VERSITYGW_VERSION"
VERSITYGW="$VERSITYGW_HOME/versitygw"
# Loopback only and thrown away after the run.
S3_ACCESS_KEY="chibo-test"
S3_SECRET_KEY="chibo-test-secret"
S3_BUCKET="chibo-test"
S3_DIR=""
S3_PID=""

# _go: a Go toolchain new enough for versitygw (its go.mod says 1.25).
_go() {
    local go
    for go in "$(command -v go 2>/dev/null)" /usr/local/go/bin/go; do
        [ -n "$go" ] && [ -x "$go" ] || continue
        local v
        v=$("$go" env GOVERSION 2>/dev/null | sed -nE 's/^go([0-9]+)\.([0-9]+).*/\1 \2/p')
        read -r major minor <<<"$v"
        if [ -n "$major" ] && { [ "$major" -gt 1 ] || [ "$minor" -ge 25 ]; }; then
            echo "$go"
            return 0
        fi
    done
    return 1
}

# ensure_versitygw: the binary in $TOOLS_DIR, built once from the Go module proxy.
ensure_versitygw() {
    [ -x "$VERSITYGW" ] && return 0
    local go started
    if ! go=$(_go); then
        note "s3: FAILED: versitygw needs Go 1.25 or newer (none on PATH or in /usr/local/go)"
        return 1
    fi
    started=$(now)
    note "install: go install $VERSITYGW_MODULE@$VERSITYGW_VERSION into $VERSITYGW_HOME"
    local build="$TOOLS_DIR/go-build.$$"
    rm -rf "$VERSITYGW_HOME" "$build"
    mkdir -p "$VERSITYGW_HOME" "$build"
    # A private module and build cache, removed afterwards: only the binary is kept.
    if ! (cd "$build" && env GOBIN="$VERSITYGW_HOME" GOPATH="$build/gopath" \
        GOMODCACHE="$build/mod" GOCACHE="$build/cache" GOFLAGS=-trimpath CGO_ENABLED=0 \
        GOTOOLCHAIN=local "$go" install "$VERSITYGW_MODULE@$VERSITYGW_VERSION" >"$build/log" 2>&1); then
        note "s3: FAILED to build versitygw"
        tail -n 30 "$build/log" | sed 's/^/    | /'
        chmod -R u+w "$build" 2>/dev/null
        rm -rf "$build" "$VERSITYGW_HOME"
        return 1
    fi
    chmod -R u+w "$build" 2>/dev/null
    rm -rf "$build"
    note "s3: built versitygw $VERSITYGW_VERSION in $(($(now) - started))s"
}

# _s3_reap_stale: servers left by a run killed before its cleanup ran.
_s3_reap_stale() {
    local dir owner pid
    for dir in /tmp/chibo-s3.*; do
        [ -f "$dir/owner-pid" ] || continue
        owner=$(cat "$dir/owner-pid" 2>/dev/null || true)
        if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then
            continue
        fi
        pid=$(cat "$dir/server-pid" 2>/dev/null || true)
        if [ -n "$pid" ] && grep -q versitygw "/proc/$pid/cmdline" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
        fi
        note "s3: removing a stale test server in $dir"
        rm -rf "$dir"
    done
}

# _s3_request METHOD PATH: one signed request to the test server; prints the status.
_s3_request() {
    curl -s -o "$S3_DIR/answer" -w '%{http_code}' --max-time 10 -X "$1" \
        --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "http://127.0.0.1:$S3_PORT$2"
}

ensure_s3() {
    [ -n "$S3_PID" ] && kill -0 "$S3_PID" 2>/dev/null && return 0
    local started
    started=$(now)
    command -v curl >/dev/null 2>&1 || (apt_install curl) || {
        note "s3: FAILED to install curl"
        return 1
    }
    ensure_versitygw || return 1
    _s3_reap_stale
    S3_DIR=$(mktemp -d /tmp/chibo-s3.XXXXXX) || return 1
    echo "$$" >"$S3_DIR/owner-pid"
    mkdir -p "$S3_DIR/root"
    trap _s3_exit_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    local attempt status
    for attempt in 1 2 3 4 5; do
        S3_PORT=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$S3_PORT") 2>/dev/null && continue
        # Its own session, so stopping it never touches the caller's process group.
        setsid "$VERSITYGW" --access "$S3_ACCESS_KEY" --secret "$S3_SECRET_KEY" \
            --port "127.0.0.1:$S3_PORT" posix "$S3_DIR/root" >"$S3_DIR/server.log" 2>&1 &
        S3_PID=$!
        echo "$S3_PID" >"$S3_DIR/server-pid"
        local waited
        for waited in $(seq 1 100); do
            kill -0 "$S3_PID" 2>/dev/null || break
            status=$(_s3_request GET / 2>/dev/null || true)
            [ "$status" = "200" ] && break
            sleep 0.1
        done
        [ "${status:-}" = "200" ] && break
        note "s3: versitygw did not come up on port $S3_PORT (attempt $attempt)"
        sed 's/^/    | /' "$S3_DIR/server.log" | tail -n 10
        kill "$S3_PID" 2>/dev/null || true
        wait "$S3_PID" 2>/dev/null || true
        S3_PID=""
    done
    if [ -z "$S3_PID" ]; then
        note "s3: FAILED to start versitygw"
        return 1
    fi
    status=$(_s3_request PUT "/$S3_BUCKET")
    if [ "$status" != "200" ]; then
        note "s3: FAILED to create the bucket (HTTP $status)"
        sed 's/^/    | /' "$S3_DIR/answer"
        return 1
    fi
    export CHIBO_TEST_S3_URL="s3+http://$S3_ACCESS_KEY:$S3_SECRET_KEY@127.0.0.1:$S3_PORT/$S3_BUCKET"
    note "s3: versitygw $VERSITYGW_VERSION on 127.0.0.1:$S3_PORT, bucket $S3_BUCKET in $S3_DIR/root ($(($(now) - started))s)"
}

stop_s3() {
    if [ -n "$S3_PID" ]; then
        kill "$S3_PID" 2>/dev/null || true
        wait "$S3_PID" 2>/dev/null || true
        S3_PID=""
    fi
    [ -n "$S3_DIR" ] && rm -rf "$S3_DIR"
    S3_DIR=""
    unset CHIBO_TEST_S3_URL
}

# The EXIT trap is one per shell: stop whatever test servers this run started.
_s3_exit_cleanup() {
    stop_s3
    if declare -F stop_postgres >/dev/null; then stop_postgres; fi
}

# The server's and end-to-end test binaries that store, serve or sync blobs.
S3_TEST_TARGETS="tus dashboard_meeting dashboard_office meeting_sync faults refusals office_actions"

# _s3_test_binaries: "<folder>\t<exe>" for S3_TEST_TARGETS, from the workspace test build.
_s3_test_binaries() {
    cargo test --workspace --no-run --message-format=json 2>/dev/null \
        | python3 "$ROOT/tests/lib/test_binaries.py" chibo-server chibo-e2e \
        | while IFS=$'\t' read -r dir exe; do
            local target
            target=$(basename "$exe" | sed -E 's/-[0-9a-f]+$//')
            case " $S3_TEST_TARGETS " in *" $target "*) printf '%s\t%s\n' "$dir" "$exe" ;; esac
        done
}

_s3_run_tests() {
    local listing status=0 dir exe
    listing=$(_s3_test_binaries)
    [ "$(wc -l <<<"$listing")" -ge 7 ] || {
        echo "expected the test binaries of $S3_TEST_TARGETS, found: $listing" >&2
        return 1
    }
    while IFS=$'\t' read -r dir exe; do
        echo "     Running $exe"
        # --include-ignored: the S3-only tests (tus.rs `on_s3::`) run here, and only here.
        # SQLite for the records, whatever the caller's environment says: this suite is
        # about the blobs.
        (cd "$dir" && env -u CHIBO_TEST_DATABASE_URL "$exe" --include-ignored) || status=$?
    done <<<"$listing"
    return "$status"
}

s3_suite() {
    local name="s3: blobs, tus and photo sync on S3 (versitygw)" start status=0 passed failed
    section "$name"
    start=$(now)
    ensure_rust
    ensure_native_build
    # Build first, so that the server does not sit idle through the compilation.
    if ! run_logged "s3-build" build_workspace_targets; then
        note "FAILED: $name (cargo build)"
        record "$name" 0 1 $(($(now) - start))
        return
    fi
    if ! ensure_s3; then
        note "FAILED: $name: the S3 server could not be installed or started (see above)"
        record "$name" 0 1 $(($(now) - start))
        stop_s3
        return
    fi
    run_logged "$name" _s3_run_tests || status=$?
    local objects
    objects=$(find "$S3_DIR/root/$S3_BUCKET" -type f 2>/dev/null | wc -l)
    note "s3: the bucket holds $objects objects written by the tests"
    stop_s3
    read -r passed failed < <(cargo_test_counts "$(log_of "$name")")
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        note "FAILED: $name (exit $status, e.g. a build error)"
        failed=1
    fi
    if [ "$passed" -eq 0 ] || [ "$objects" -eq 0 ]; then
        note "FAILED: $name ran no test, or none reached the bucket"
        failed=$((failed + 1))
    fi
    record "$name" "$passed" "$failed" $(($(now) - start))
}
