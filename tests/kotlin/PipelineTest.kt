package chibo.tests

import kotlin.test.Test

/** The generated bindings load the host-built core library through JNA. */
class PipelineTest {
    @Test
    fun theCoreLibraryLoadsAndItsContractMatchesTheBindings() {
        // Loads libchibo_core through JNA and checks the uniffi contract version and the
        // checksums of every exported function against the generated code.
        uniffi.chibo_core.uniffiEnsureInitialized()
    }
}
