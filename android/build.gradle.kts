plugins {
    alias(libs.plugins.android.application) apply false
    alias(libs.plugins.android.kmp.library) apply false
    alias(libs.plugins.kotlin.jvm) apply false
    alias(libs.plugins.kotlin.multiplatform) apply false
    alias(libs.plugins.kotlin.compose) apply false
    alias(libs.plugins.compose.multiplatform) apply false
}

/** The Cargo workspace (rust-core, uniffi-bindgen) is the parent of this folder. */
val cargoWorkspace: File = rootDir.parentFile
extra["cargoWorkspace"] = cargoWorkspace
