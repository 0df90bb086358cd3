# The Android suite, on a machine without the Android SDK: the app's pure-Kotlin
# presentation layer and its Compose screens (Compose Multiplatform common code) compiled
# for the desktop JVM with kotlinc and the Compose compiler plugin; JUnit runs the state
# holders against fakes and against the real core (JNA), renders every screen to PNG and
# drives the meeting and check-in flows with Compose's UI-test API. The platform adapters
# that use only android.* are compile-checked against Robolectric's android-all jar.
# Source it after tests/lib/common.sh, tools.sh and kotlin.sh (whose core build and
# bindings it reuses).

AN_SRC="$ROOT/android"
AN_BUILD="$TARGET_DIR/android"
AN_SCREENS="$AN_BUILD/test-output/android-screens"
AN_FONT_DIR=/usr/share/fonts/truetype/noto

# ensure_maven: Maven fetches the Compose and android-all jars from Maven Central.
ensure_maven() {
    command -v mvn >/dev/null 2>&1 || apt_install maven
}

# ensure_vietnamese_font: Noto Sans (Vietnamese glyphs) for the screenshots.
ensure_vietnamese_font() {
    [ -f "$AN_FONT_DIR/NotoSans-Regular.ttf" ] || apt_install fonts-noto-core
}

# android_fetch_jars PROFILE: copies PROFILE's dependency tree (android/jvm/pom.xml) into
# the tools cache once per pom version; prints the folder.
android_fetch_jars() {
    local profile=$1 digest dir
    digest=$(sha256sum "$AN_SRC/jvm/pom.xml" | cut -c1-16)
    dir="$TOOLS_DIR/android-jars/$profile-$digest"
    if [ ! -f "$dir/.complete" ]; then
        rm -rf "$dir"
        mkdir -p "$dir"
        note "install: Maven Central jars for '$profile' into $dir" >&2
        mvn -B -q -f "$AN_SRC/jvm/pom.xml" -Dmaven.repo.local="$TOOLS_DIR/m2" -P "$profile" \
            dependency:copy-dependencies -DoutputDirectory="$dir" >&2 || return 1
        touch "$dir/.complete"
    fi
    echo "$dir"
}

# _an_classpath DIR: the jars of DIR joined with ':', without Maven's (older) Kotlin stdlib
# (kotlinc's own is used).
_an_classpath() {
    find "$1" -maxdepth 1 -name '*.jar' ! -name 'kotlin-stdlib*' | LC_ALL=C sort | paste -sd: -
}

# _an_stamp NAME INPUT...: a digest of the inputs (files or folders) and the compiler.
_an_stamp() {
    {
        echo "kotlinc $KOTLIN_VERSION $1"
        shift
        local path
        for path in "$@"; do
            if [ -d "$path" ]; then
                (cd "$path" && find . -type f \( -name '*.kt' -o -name '*.class' -o -name '*.ttf' \) | LC_ALL=C sort | xargs -r sha256sum)
            elif [ -f "$path" ]; then
                sha256sum "$path"
            fi
        done
    } | sha256sum | cut -d' ' -f1
}

# _an_compile NAME OUT CLASSPATH [kotlinc options...] -- SOURCES...: compiles unless the
# stamp of the sources and classpath folders is unchanged. Records NAME as one check.
_an_compile() {
    local name=$1 out=$2 cp=$3
    shift 3
    local opts=() srcs=()
    while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
        opts+=("$1")
        shift
    done
    shift
    srcs=("$@")
    local start stamp cp_dirs=()
    start=$(now)
    IFS=: read -r -a cp_dirs <<<"$cp"
    stamp=$(_an_stamp "$name ${opts[*]}" "${srcs[@]}" "${cp_dirs[@]}")
    section "android: compile $name"
    if [ -d "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
        note "up to date (sources unchanged)"
        record "android-$name" 1 0 $(($(now) - start))
        return 0
    fi
    rm -rf "$out" "$out.stamp"
    # The classpath goes in an argument file, so that the log shows the command readably.
    local args="$AN_BUILD/$name.args"
    mkdir -p "$AN_BUILD"
    printf -- '-cp\n%s\n' "$cp" >"$args"
    note "classpath: $args"
    if run_logged "android-$name" "$KOTLINC" -jvm-target 17 -nowarn "${opts[@]}" "@$args" -d "$out" "${srcs[@]}"; then
        echo "$stamp" >"$out.stamp"
        record "android-$name" 1 0 $(($(now) - start))
        return 0
    fi
    note "FAILED: android-$name"
    record "android-$name" 0 1 $(($(now) - start))
    return 1
}

# android_robolectric_suite PRESENTATION BINDINGS ADAPTERS ANDROID_CP: the android.*-only
# adapters (reminders, boot and time receivers, notification channel, location, capture
# files) run under Robolectric 4.17 on its Android 15 (API 35), all from Maven Central,
# offline once fetched.
android_robolectric_suite() {
    local presentation=$1 bindings=$2 adapters=$3 android_cp=$4 robo_dir sdk_dir t0 status=0
    t0=$(now)
    section "android: Robolectric (the android.* adapters on the JVM)"
    if ! robo_dir=$(android_fetch_jars robolectric) || ! sdk_dir=$(android_fetch_jars robolectric-sdk); then
        note "FAILED: Maven could not fetch Robolectric (see android/jvm/pom.xml)"
        record "android-robolectric" 0 1 $(($(now) - t0))
        return 1
    fi
    # AndroidX test's monitor and idling resource come as .aar: their classes.jar.
    local aar
    for aar in "$robo_dir"/*.aar; do
        [ -f "$aar" ] || continue
        [ -f "${aar%.aar}.jar" ] || unzip -p "$aar" classes.jar >"${aar%.aar}.jar"
    done
    local robo_cp out="$AN_BUILD/robolectric"
    robo_cp=$(_an_classpath "$robo_dir")
    _an_compile robolectric-tests "$out" "$adapters:$presentation:$bindings:$robo_cp:$JAVA_SHARE/junit4.jar" -- \
        "$AN_SRC/app/src/test/kotlin" || return 1
    local args="$AN_BUILD/robolectric-run.args"
    # Android 15's framework jar is in the profile: JUnit reads the test's annotations
    # (which name android.* classes) before Robolectric's sandbox loads its instrumented one.
    printf -- '-cp\n%s\n' "$out:$adapters:$presentation:$bindings:$AN_SRC/app/src/main/res:$robo_cp:$KOTLIN_LIB/kotlin-stdlib.jar:$JAVA_SHARE/junit4.jar:$JAVA_SHARE/hamcrest-core.jar" >"$args"
    run_logged "android-robolectric" java -Dfile.encoding=UTF-8 -Drobolectric.offline=true \
        -Drobolectric.dependency.dir="$sdk_dir" -Drobolectric.logging.enabled=false \
        "@$args" org.junit.runner.JUnitCore chibo.app.platform.PlatformAdaptersTest || status=$?
    local passed failed
    read -r passed failed < <(junit_counts "$(log_of android-robolectric)")
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        note "FAILED: the Robolectric run (exit $status)"
        failed=1
    fi
    record "android-robolectric" "$passed" "$failed" $(($(now) - t0))
    [ "$failed" -eq 0 ]
}

android_suite() {
    local start status=0
    start=$(now)
    ensure_native_build
    ensure_java
    ensure_jvm_libs
    ensure_kotlinc
    ensure_maven
    ensure_vietnamese_font

    if ! kotlin_core_and_bindings; then
        note "FAILED: $KOTLIN_CORE_FAILURE"
        record "android" 0 1 $(($(now) - start))
        return
    fi

    section "android: jars from Maven Central"
    local compose_dir android_dir
    if ! compose_dir=$(android_fetch_jars compose) || ! android_dir=$(android_fetch_jars android-all); then
        note "FAILED: Maven could not fetch the jars (see android/jvm/pom.xml)"
        record "android-jars" 0 1 $(($(now) - start))
        return
    fi
    note "compose: $compose_dir"
    note "android-all: $android_dir"

    local compose_cp android_cp jvm_libs kotlin_libs
    compose_cp=$(_an_classpath "$compose_dir")
    android_cp=$(_an_classpath "$android_dir")
    jvm_libs="$JAVA_SHARE/jna.jar:$JAVA_SHARE/junit4.jar:$JAVA_SHARE/hamcrest-core.jar"
    kotlin_libs="$KOTLIN_LIB/kotlin-test.jar:$KOTLIN_LIB/kotlin-test-junit.jar"
    local presentation="$AN_BUILD/presentation" ui="$AN_BUILD/ui" adapters="$AN_BUILD/adapters" tests="$AN_BUILD/tests"
    local plugin="-Xplugin=$KOTLIN_LIB/compose-compiler-plugin.jar"

    # The module boundaries: presentation imports neither android.* nor androidx.*; the
    # platform adapters import android.* but not androidx.*; ui imports no android.* (it is
    # common code).
    section "android: module boundaries"
    local t0 leaks
    t0=$(now)
    leaks=$( {
        grep -rnE '^import (android|androidx)\.' "$AN_SRC/presentation/src" || true
        grep -rnE '^import androidx\.' "$AN_SRC/app/src/main/kotlin/chibo/app/platform" || true
        grep -rnE '^import android\.' "$AN_SRC/ui/src" || true
    } )
    if [ -z "$leaks" ]; then
        note "presentation: no android.*/androidx.*; adapters: no androidx.*; ui: no android.*"
        record "android-boundaries" 1 0 $(($(now) - t0))
    else
        printf '%s\n' "$leaks"
        note "FAILED: android-boundaries"
        record "android-boundaries" 0 1 $(($(now) - t0))
    fi

    # The generated bindings' classes: the Kotlin suite's, when it compiled these very
    # bindings in this run or before (they are most of the compile time); else our own.
    local bindings
    if [ -d "$KT_BUILD/classes" ] && [ "$(cat "$KT_BUILD/classes.stamp" 2>/dev/null)" = "$(_kotlin_stamp)" ]; then
        bindings="$KT_BUILD/classes"
        section "android: compile bindings"
        note "reusing the Kotlin suite's classes ($bindings)"
    else
        bindings="$AN_BUILD/bindings"
        _an_compile bindings "$bindings" "$jvm_libs:$KOTLIN_LIB/kotlinx-coroutines-core-jvm.jar" -- "$KT_BUILD/bindings" || return
    fi
    # presentation: pure Kotlin (no android.*, no androidx.*), on the generated bindings.
    _an_compile presentation "$presentation" "$bindings:$jvm_libs:$compose_cp" -- \
        "$AN_SRC/presentation/src/main/kotlin" || return
    # ui: the Compose screens, common code compiled for the desktop JVM.
    _an_compile ui "$ui" "$presentation:$bindings:$compose_cp" "$plugin" -- \
        "$AN_SRC/ui/src/commonMain/kotlin" || return
    # app: the platform adapters that use android.* only, against the framework jar.
    _an_compile adapters "$adapters" "$presentation:$bindings:$android_cp:$compose_cp" -- \
        "$AN_SRC/app/src/main/kotlin/chibo/app/platform" || true
    _an_compile tests "$tests" "$presentation:$bindings:$ui:$jvm_libs:$kotlin_libs:$compose_cp" "$plugin" -- \
        "$AN_SRC/presentation/src/testFixtures/kotlin" "$AN_SRC/presentation/src/test/kotlin" \
        "$AN_SRC/ui/src/desktopTest/kotlin" || return

    android_robolectric_suite "$presentation" "$bindings" "$adapters" "$android_cp" || true

    section "android: run tests (state holders, screens, click-throughs; core via JNA)"
    local classes=()
    mapfile -t classes < <(cd "$tests" && find . -type f \( -name '*Test.class' -o -name '*Tests.class' \) \
        ! -name '*$*' | LC_ALL=C sort | sed -e 's|^\./||' -e 's|\.class$||' -e 's|/|.|g')
    note "test classes: ${classes[*]}"
    rm -rf "$AN_SCREENS"
    mkdir -p "$AN_SCREENS"
    local t0
    t0=$(now)
    local args="$AN_BUILD/test-run.args"
    # app/src/main/res on the classpath: the app's words (values/strings.xml) for the JVM.
    printf -- '-cp\n%s\n' "$tests:$presentation:$bindings:$ui:$AN_SRC/app/src/main/res:$jvm_libs:$KOTLIN_LIB/kotlin-stdlib.jar:$kotlin_libs:$compose_cp" >"$args"
    note "classpath: $args"
    run_logged "android-test" java -Djna.library.path="$TARGET_DIR/debug" -Dfile.encoding=UTF-8 \
        -Djava.awt.headless=true -Dskiko.renderApi=SOFTWARE \
        -Dchibo.fixtures="$ROOT/../shared/fixtures" -Dchibo.screens="$AN_SCREENS" \
        -Dchibo.appStore="$AN_BUILD/test-output/app-store" -Dchibo.appFixtures="$AN_SRC/presentation/src/test/fixtures" \
        -Dchibo.font="$AN_FONT_DIR/NotoSans-Regular.ttf" -Dchibo.fontBold="$AN_FONT_DIR/NotoSans-Bold.ttf" \
        "@$args" org.junit.runner.JUnitCore "${classes[@]}" || status=$?
    local passed failed
    read -r passed failed < <(junit_counts "$(log_of android-test)")
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        note "FAILED: the JVM run (exit $status)"
        failed=1
    fi
    note "screenshots: $AN_SCREENS ($(find "$AN_SCREENS" -name '*.png' | wc -l) PNG files)"
    note "the app store the JVM run wrote (encrypted): $AN_BUILD/test-output/app-store"
    record "android" "$passed" "$failed" $(($(now) - t0))
    note "android suite: $(($(now) - start))s"
}
