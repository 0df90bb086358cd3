//! The workspace's bindings generator, pinned to the same uniffi as the core.
fn main() {
    uniffi::uniffi_bindgen_main()
}
