# The browser suite: the dashboard in Debian's Chromium, headless, driven by playwright-core
# (npm) against the fixture tests/e2e/src/bin/dashboard_fixture.rs (the real server on
# SQLite, seeded with Xuân Hòa, simulated phones on the real core). Tests are in
# tests/browser/tests; screenshots and downloads go to target/browser/test-output.
# Source it after tests/lib/common.sh and tests/lib/tools.sh.

BROWSER_DIR="$ROOT/tests/browser"
CHROMIUM="${CHIBO_CHROMIUM:-/usr/bin/chromium}"
BROWSER_MODULES="$TOOLS_DIR/browser"

# ensure_chromium: Debian's Chromium and a font with Vietnamese diacritics.
ensure_chromium() {
    [ -x "$CHROMIUM" ] || apt_install chromium
    fc-list 2>/dev/null | grep -qi dejavu || apt_install fonts-dejavu-core
}

# ensure_browser_modules: `npm ci` of tests/browser's lock file into $TOOLS_DIR/browser,
# linked as tests/browser/node_modules. Reinstalled only when the lock file changes.
ensure_browser_modules() {
    ensure_npm
    local lock="$BROWSER_DIR/package-lock.json" stamp="$BROWSER_MODULES/.lock-sha256" want
    want=$(sha256sum "$lock" | cut -d' ' -f1)
    if [ ! -d "$BROWSER_MODULES/node_modules" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        note "install: npm ci (playwright-core, fflate) into $BROWSER_MODULES"
        rm -rf "$BROWSER_MODULES"
        mkdir -p "$BROWSER_MODULES"
        cp "$BROWSER_DIR/package.json" "$lock" "$BROWSER_MODULES/"
        (cd "$BROWSER_MODULES" && npm ci --no-audit --no-fund --no-update-notifier --loglevel=error >/dev/null) \
            || return 1
        echo "$want" >"$stamp"
    fi
    if [ "$(readlink "$BROWSER_DIR/node_modules" 2>/dev/null)" != "$BROWSER_MODULES/node_modules" ]; then
        rm -rf "$BROWSER_DIR/node_modules"
        ln -s "$BROWSER_MODULES/node_modules" "$BROWSER_DIR/node_modules"
    fi
}

# browser_counts LOG: prints "PASSED FAILED" from run.mjs's last line.
browser_counts() {
    local line
    line=$(grep -E '^browser: [0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1 || true)
    if [ -z "$line" ]; then
        echo "0 0"
        return
    fi
    sed -E 's/^browser: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' <<<"$line"
}

browser_suite() {
    local name="browser: dashboard" start status=0 passed failed
    section "$name"
    start=$(now)
    if ! ensure_chromium || ! ensure_browser_modules; then
        note "FAILED: $name (Chromium or playwright-core did not install)"
        record "$name" 0 1 $(($(now) - start))
        return
    fi
    # The workspace build the other suites make (the fixture is one of its binaries): in
    # `tests/run all` nothing is rebuilt with other features.
    if ! run_logged "browser-build" build_workspace_targets; then
        note "FAILED: $name (cargo build of the dashboard fixture)"
        record "$name" 0 1 $(($(now) - start))
        return
    fi
    rm -rf "$TARGET_DIR/browser/test-output"
    CHIBO_CHROMIUM="$CHROMIUM" CARGO_TARGET_DIR="$TARGET_DIR" \
        run_logged "$name" node "$BROWSER_DIR/run.mjs" "$TARGET_DIR/debug/dashboard_fixture" || status=$?
    read -r passed failed < <(browser_counts "$(log_of "$name")")
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        note "FAILED: $name (exit $status)"
        failed=1
    fi
    note "screenshots: $TARGET_DIR/browser/test-output/screenshots"
    record "$name" "$passed" "$failed" $(($(now) - start))
}
