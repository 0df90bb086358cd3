# The Kotlin suite: the generated bindings and tests/kotlin compiled with kotlinc and run
# on the JVM against the host-built core library through JNA.
# Source it after tests/lib/common.sh and tests/lib/tools.sh.

KT_BUILD="$TARGET_DIR/kotlin"
KT_SOURCES="$ROOT/tests/kotlin"

case "$(uname -s)" in
    Darwin) CORE_LIB_FILE=libchibo_core.dylib ;;
    *) CORE_LIB_FILE=libchibo_core.so ;;
esac

# kotlin_fail STEP START: record the Kotlin suite as one failure.
kotlin_fail() {
    note "FAILED: $1"
    record "kotlin" 0 1 $(($(now) - $2))
}

# _kotlin_stamp: a digest of everything the compiled classes depend on.
_kotlin_stamp() {
    {
        echo "kotlinc $KOTLIN_VERSION jvm-target 17"
        (cd "$KT_BUILD" && find bindings -type f -name '*.kt' | LC_ALL=C sort | xargs sha256sum)
        (cd "$KT_SOURCES" && find . -type f -name '*.kt' | LC_ALL=C sort | xargs -r sha256sum)
    } | sha256sum | cut -d' ' -f1
}

# kotlin_core_and_bindings: builds the host core library and generates its Kotlin bindings
# into $KT_BUILD/bindings (the Android suite reuses both). Prints what failed, returns 1.
kotlin_core_and_bindings() {
    local debug_dir="$TARGET_DIR/debug"
    section "kotlin: build core library and bindgen"
    if ! run_logged "kotlin-build" build_workspace_targets; then
        KOTLIN_CORE_FAILURE="cargo build of the core library"
        return 1
    fi

    section "kotlin: generate bindings"
    rm -rf "$KT_BUILD/bindings"
    mkdir -p "$KT_BUILD"
    if ! run_logged "kotlin-bindgen" "$debug_dir/uniffi-bindgen" generate \
        --library "$debug_dir/$CORE_LIB_FILE" --language kotlin --no-format --metadata-no-deps \
        --out-dir "$KT_BUILD/bindings"; then
        KOTLIN_CORE_FAILURE="uniffi-bindgen"
        return 1
    fi
    (cd "$KT_BUILD/bindings" && find . -name '*.kt' | LC_ALL=C sort | sed 's|^\./|    generated: |')
}

kotlin_suite() {
    local start status=0
    start=$(now)
    ensure_native_build
    ensure_java
    ensure_jvm_libs
    ensure_kotlinc
    local debug_dir="$TARGET_DIR/debug"

    if ! kotlin_core_and_bindings; then
        kotlin_fail "$KOTLIN_CORE_FAILURE" "$start"
        return
    fi

    local jvm_libs="$JAVA_SHARE/jna.jar:$JAVA_SHARE/junit4.jar:$JAVA_SHARE/hamcrest-core.jar"
    local kotlin_libs="$KOTLIN_LIB/kotlin-test.jar:$KOTLIN_LIB/kotlin-test-junit.jar:$KOTLIN_LIB/kotlinx-coroutines-core-jvm.jar"
    local classes="$KT_BUILD/classes" stamp
    stamp=$(_kotlin_stamp)

    section "kotlin: compile bindings and tests"
    if [ -d "$classes" ] && [ "$(cat "$KT_BUILD/classes.stamp" 2>/dev/null)" = "$stamp" ]; then
        note "up to date (sources unchanged)"
    else
        rm -rf "$classes" "$KT_BUILD/classes.stamp"
        local srcs=("$KT_BUILD/bindings")
        [ -d "$KT_SOURCES" ] && srcs+=("$KT_SOURCES")
        if ! run_logged "kotlin-compile" "$KOTLINC" -jvm-target 17 -nowarn \
            -cp "$jvm_libs:$kotlin_libs" -d "$classes" "${srcs[@]}"; then
            kotlin_fail "kotlinc" "$start"
            return
        fi
        echo "$stamp" >"$KT_BUILD/classes.stamp"
    fi

    section "kotlin: run tests (JUnit on the JVM, core library via JNA)"
    local tests=()
    mapfile -t tests < <(cd "$classes" && find . -type f \( -name '*Test.class' -o -name '*Tests.class' \) \
        ! -name '*$*' | LC_ALL=C sort | sed -e 's|^\./||' -e 's|\.class$||' -e 's|/|.|g')
    if [ "${#tests[@]}" -eq 0 ]; then
        note "no test classes (*Test / *Tests) under tests/kotlin"
        record "kotlin" 0 0 $(($(now) - start))
        return
    fi
    note "test classes: ${tests[*]}"
    # JNA finds the library through jna.library.path (java.library.path is not used by JNA).
    run_logged "kotlin-test" java -Djna.library.path="$debug_dir" -Dfile.encoding=UTF-8 \
        -cp "$classes:$jvm_libs:$KOTLIN_LIB/kotlin-stdlib.jar:$kotlin_libs" \
        org.junit.runner.JUnitCore "${tests[@]}" || status=$?
    local passed failed
    read -r passed failed < <(junit_counts "$(log_of kotlin-test)")
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        note "FAILED: the JVM run (exit $status)"
        failed=1
    fi
    record "kotlin" "$passed" "$failed" $(($(now) - start))
}
