// Pure Kotlin: state holders, navigation, mapping, interfaces over the core and their
// implementation on the generated uniffi bindings. No android.*, no androidx.*.
plugins {
    alias(libs.plugins.kotlin.jvm)
    `java-test-fixtures`
}

kotlin { jvmToolchain(17) }

val cargoWorkspace = rootProject.extra["cargoWorkspace"] as File
val bindingsDir = layout.buildDirectory.dir("generated/uniffi")
val hostLibrary = cargoWorkspace.resolve(
    "target/debug/" + if (System.getProperty("os.name").startsWith("Mac")) "libchibo_core.dylib" else "libchibo_core.so",
)

// The bindings are generated from the built library by the workspace's own uniffi-bindgen
// (pinned to the core's uniffi), as tests/lib/kotlin.sh does. One cargo invocation, so
// that both crates see the same unified features.
val buildHostCore by tasks.registering(Exec::class) {
    workingDir = cargoWorkspace
    commandLine("cargo", "build", "-p", "chibo-core", "-p", "uniffi-bindgen")
}

val generateBindings by tasks.registering(Exec::class) {
    dependsOn(buildHostCore)
    inputs.file(hostLibrary)
    outputs.dir(bindingsDir)
    workingDir = cargoWorkspace
    commandLine(
        cargoWorkspace.resolve("target/debug/uniffi-bindgen").path, "generate",
        "--library", hostLibrary.path, "--language", "kotlin", "--no-format", "--metadata-no-deps",
        "--out-dir", bindingsDir.get().asFile.path,
    )
}

kotlin.sourceSets.named("main") { kotlin.srcDir(generateBindings) }
// The app's words (values/strings.xml) for the JVM tests; on Android they are resources.
sourceSets.named("test") { resources.srcDir("../app/src/main/res") }

dependencies {
    api(libs.kotlinx.coroutines.core)
    implementation(libs.zxing.core)
    // The app provides JNA as the Android AAR; JVM tests use the jar.
    compileOnly(libs.jna)
    testImplementation(libs.jna)
    testImplementation(libs.kotlin.test)
    testImplementation(libs.junit)
    testFixturesImplementation(libs.jna)
}

tasks.test {
    // The host-built core library, loaded by JNA; the fixture photos beside the repository.
    dependsOn(buildHostCore)
    systemProperty("jna.library.path", hostLibrary.parentFile.path)
    systemProperty("chibo.fixtures", cargoWorkspace.resolve("../shared/fixtures").path)
}
