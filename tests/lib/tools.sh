# Installs what the test suites need when it is missing. Idempotent and quiet: a tool
# that is already there costs one check. Source it after tests/lib/common.sh.

KOTLIN_VERSION="2.4.20"
KOTLIN_HOME="$TOOLS_DIR/node_modules/kotlin-compiler"
JAVA_SHARE=/usr/share/java

_APT_UPDATED=0

# as_root CMD...: run CMD as root (directly, or through non-interactive sudo).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        die "need root to run: $*"
    fi
}

# apt_install PKG...: install the Debian packages that are not installed yet.
apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them"
    if [ "$_APT_UPDATED" -eq 0 ]; then
        note "install: apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        _APT_UPDATED=1
    fi
    note "install: apt-get install ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# ensure_rust: cargo with rustfmt and clippy.
ensure_rust() {
    command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup (https://rustup.rs)"
    local want=()
    cargo fmt --version >/dev/null 2>&1 || want+=(rustfmt)
    cargo clippy --version >/dev/null 2>&1 || want+=(clippy)
    if [ "${#want[@]}" -gt 0 ]; then
        command -v rustup >/dev/null 2>&1 || die "cargo ${want[*]} missing and no rustup to add them"
        note "install: rustup component add ${want[*]}"
        rustup component add "${want[@]}" >/dev/null 2>&1 \
            || rustup component add "${want[@]}"
    fi
}

# ensure_native_build: the photo crate builds libjpeg-turbo from source with CMake;
# NASM gives it its x86 SIMD (without it the build works but photos take twice as long).
ensure_native_build() {
    local pkgs=()
    command -v cmake >/dev/null 2>&1 || pkgs+=(cmake)
    command -v nasm >/dev/null 2>&1 || pkgs+=(nasm)
    [ "${#pkgs[@]}" -eq 0 ] || apt_install "${pkgs[@]}"
}

# ensure_java: a Java 17+ runtime (kotlinc runs on it, and so do the tests).
ensure_java() {
    if ! command -v java >/dev/null 2>&1; then
        apt_install openjdk-17-jre-headless
    fi
}

# ensure_jvm_libs: JNA (loads the core library), JUnit 4 and Hamcrest, from Debian.
ensure_jvm_libs() {
    local pkgs=()
    [ -f "$JAVA_SHARE/jna.jar" ] || pkgs+=(libjna-java)
    { [ -f "$JAVA_SHARE/junit4.jar" ] && [ -f "$JAVA_SHARE/hamcrest-core.jar" ]; } || pkgs+=(junit4 libhamcrest-java)
    [ "${#pkgs[@]}" -eq 0 ] || apt_install "${pkgs[@]}"
}

# ensure_npm: node and npm, to fetch the Kotlin compiler.
ensure_npm() {
    command -v npm >/dev/null 2>&1 || apt_install nodejs npm
}

_kotlin_installed_version() {
    [ -f "$KOTLIN_HOME/package.json" ] || return 0
    sed -nE 's/^ *"version": *"([^"]+)".*/\1/p' "$KOTLIN_HOME/package.json" | head -n 1
}

# ensure_kotlinc: the Kotlin compiler, from npm's kotlin-compiler package, in $TOOLS_DIR.
ensure_kotlinc() {
    if [ "$(_kotlin_installed_version)" != "$KOTLIN_VERSION" ] || [ ! -x "$KOTLIN_HOME/bin/kotlinc" ]; then
        ensure_npm
        note "install: npm install kotlin-compiler@$KOTLIN_VERSION into $TOOLS_DIR"
        mkdir -p "$TOOLS_DIR"
        [ -f "$TOOLS_DIR/package.json" ] || echo '{ "private": true }' >"$TOOLS_DIR/package.json"
        npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --no-update-notifier \
            --loglevel=error --save-exact "kotlin-compiler@$KOTLIN_VERSION" >/dev/null
        chmod +x "$KOTLIN_HOME"/bin/* 2>/dev/null || true
        [ "$(_kotlin_installed_version)" = "$KOTLIN_VERSION" ] \
            || die "kotlin-compiler@$KOTLIN_VERSION did not install into $KOTLIN_HOME"
    fi
    KOTLINC="$KOTLIN_HOME/bin/kotlinc"
    KOTLIN_LIB="$KOTLIN_HOME/lib"
}

TUSPY_VERSION="1.1.0"
TUSPY_VENV="$TOOLS_DIR/tuspy-venv"

# ensure_tuspy: tuspy, a third-party tus client from PyPI, in a venv in $TOOLS_DIR (the tus
# suite uploads through it). Sets TUSPY_PYTHON to that venv's python.
ensure_tuspy() {
    TUSPY_PYTHON="$TUSPY_VENV/bin/python"
    if [ -x "$TUSPY_PYTHON" ] && "$TUSPY_PYTHON" -c \
        "import importlib.metadata as m, sys; sys.exit(m.version('tuspy') != '$TUSPY_VERSION')" 2>/dev/null; then
        return 0
    fi
    command -v python3 >/dev/null 2>&1 || apt_install python3
    rm -rf "$TUSPY_VENV"
    mkdir -p "$TOOLS_DIR"
    if ! python3 -m venv "$TUSPY_VENV" >/dev/null 2>&1; then
        # Debian's python3 keeps venv (and its pip) in a separate package.
        apt_install python3-venv
        python3 -m venv "$TUSPY_VENV" || return 1
    fi
    note "install: pip install tuspy==$TUSPY_VERSION into $TUSPY_VENV"
    "$TUSPY_PYTHON" -m pip install --quiet --disable-pip-version-check --no-input \
        "tuspy==$TUSPY_VERSION" >/dev/null
}

# build_workspace_targets: every target of the workspace, libraries (the core's cdylib),
# binaries (uniffi-bindgen), examples and tests, in one invocation with the same package
# set as the test suite, so features unify the same way and nothing builds twice.
build_workspace_targets() {
    cargo build --workspace --all-targets
}
