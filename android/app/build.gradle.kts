// The Android shell: Activity, permissions, WorkManager, notifications, and the platform
// adapters (chibo.app.platform, android.* only). Everything else is in :presentation and :ui.
plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.compose)
}

val cargoWorkspace = rootProject.extra["cargoWorkspace"] as File
val abis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")
val jniLibs = layout.buildDirectory.dir("generated/jniLibs")

android {
    namespace = "chibo.app"
    compileSdk = libs.versions.android.compileSdk.get().toInt()

    defaultConfig {
        applicationId = "vn.chibo.app"
        minSdk = libs.versions.android.minSdk.get().toInt()
        targetSdk = libs.versions.android.targetSdk.get().toInt()
        versionCode = 1
        versionName = "0.1.0"
        ndk { abiFilters += abis }
        // The province's server address offered on the typed-code path (the QR carries its
        // own): `gradle -PchiboServer=https://chibo.sonla.gov.vn :app:assembleRelease`, or
        // a `server.txt` in the app's files. Empty by default: no placeholder host.
        val server = (project.findProperty("chiboServer") as String?).orEmpty()
        buildConfigField("String", "DEFAULT_SERVER", "\"$server\"")
    }

    buildFeatures {
        compose = true
        buildConfig = true
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            isShrinkResources = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }

    sourceSets["main"].jniLibs.srcDir(jniLibs)
}

// The core for the three ABIs, with cargo-ndk (cargo install cargo-ndk; rustup target add
// aarch64-linux-android armv7-linux-androideabi x86_64-linux-android; ANDROID_NDK_HOME set).
// Release builds use the workspace's `mobile` profile (size-optimised, fat LTO, stripped,
// panic = abort). Its inputs are the Rust sources and manifests: a change there rebuilds
// the libraries, and an unchanged tree skips the task.
val cargoNdk by tasks.registering(Exec::class) {
    group = "rust"
    description = "Builds libchibo_core.so for ${abis.joinToString()} with cargo-ndk"
    workingDir = cargoWorkspace
    val release = gradle.startParameter.taskNames.any { it.contains("Release", ignoreCase = true) }
    inputs.files(
        fileTree(cargoWorkspace.resolve("rust-core")) {
            include("**/*.rs", "**/Cargo.toml", "**/*.toml", "**/*.json", "**/*.c", "**/*.h")
            exclude("**/target/**", "**/tests/**")
        },
    )
    // .cargo/config.toml chooses SQLCipher's crypto (libtomcrypt) for every build.
    inputs.files(cargoWorkspace.resolve("Cargo.toml"), cargoWorkspace.resolve("Cargo.lock"), cargoWorkspace.resolve(".cargo/config.toml"))
    inputs.property("release", release)
    inputs.property("abis", abis)
    commandLine(
        listOf("cargo", "ndk") + abis.flatMap { listOf("-t", it) } +
            listOf("--platform", libs.versions.android.minSdk.get(), "-o", jniLibs.get().asFile.path, "build", "-p", "chibo-core", "--lib") +
            (if (release) listOf("--profile", "mobile") else emptyList()),
    )
    // 16 KB pages (Android 15+ devices): align the library's segments.
    val rustflags = mutableListOf("-C link-arg=-Wl,-z,max-page-size=16384")
    if (release) {
        // What the `mobile` profile cannot say (Cargo profiles carry no rustflags); the same
        // flags as `tests/bench size` measures, see android/README.md ("Size of the library"):
        // no unwind tables (panics abort), identical functions folded, relative relocations
        // packed (Android 6+), curve25519-dalek's portable backend (no AVX2 copy on x86_64).
        rustflags += listOf(
            "-C force-unwind-tables=no",
            "-C link-arg=-Wl,--icf=all",
            "-C link-arg=-Wl,--pack-dyn-relocs=android",
            "--cfg curve25519_dalek_backend=\"serial\"",
        )
        environment("CFLAGS", "-fno-asynchronous-unwind-tables -fno-unwind-tables")
    }
    environment("RUSTFLAGS", rustflags.joinToString(" "))
    outputs.dir(jniLibs)
}

tasks.named("preBuild") { dependsOn(cargoNdk) }

dependencies {
    implementation(project(":presentation"))
    implementation(project(":ui"))
    // JNA as the Android AAR: its native dispatch library for each ABI.
    implementation("${libs.jna.get().module}:${libs.versions.jna.get()}@aar")
    implementation(libs.bouncycastle)
    implementation(libs.kotlinx.coroutines.android)
    implementation(libs.androidx.activity.compose)
    implementation(libs.androidx.lifecycle.viewmodel)
    implementation(libs.androidx.work.runtime)
    implementation(libs.zxing.android.embedded)
}
