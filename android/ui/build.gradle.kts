// The Compose screens as Compose Multiplatform common code: compiled for Android (into the
// app) and for the desktop JVM (screenshots and click-throughs, which tests/run also runs
// with kotlinc on machines without the Android SDK).
import org.jetbrains.compose.ExperimentalComposeLibrary

plugins {
    alias(libs.plugins.kotlin.multiplatform)
    alias(libs.plugins.android.kmp.library)
    alias(libs.plugins.kotlin.compose)
    alias(libs.plugins.compose.multiplatform)
}

kotlin {
    jvmToolchain(17)
    androidLibrary {
        namespace = "chibo.ui"
        compileSdk = libs.versions.android.compileSdk.get().toInt()
        minSdk = libs.versions.android.minSdk.get().toInt()
    }
    jvm("desktop")

    sourceSets {
        commonMain.dependencies {
            implementation(project(":presentation"))
            implementation(compose.runtime)
            implementation(compose.foundation)
            implementation(compose.material3)
            implementation(libs.compose.icons.core)
            implementation(libs.compose.icons.extended)
        }
        val desktopTest by getting {
            // The app's words (values/strings.xml); on Android they are the app's resources.
            resources.srcDir("../app/src/main/res")
            dependencies {
                implementation(compose.desktop.currentOs)
                @OptIn(ExperimentalComposeLibrary::class)
                implementation(compose.uiTest)
                implementation(compose.desktop.uiTestJUnit4)
                implementation(testFixtures(project(":presentation")))
                implementation(libs.jna)
                implementation(libs.kotlin.test)
            }
        }
    }
}

tasks.named<Test>("desktopTest") {
    val cargoWorkspace = rootProject.extra["cargoWorkspace"] as File
    dependsOn(":presentation:buildHostCore")
    systemProperty("jna.library.path", cargoWorkspace.resolve("target/debug").path)
    systemProperty("chibo.fixtures", cargoWorkspace.resolve("../shared/fixtures").path)
    systemProperty("chibo.screens", layout.buildDirectory.dir("test-output/android-screens").get().asFile.path)
    systemProperty("java.awt.headless", "true")
}
