package chibo.tests

import java.util.UUID
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue
import uniffi.chibo_core.newId
import uniffi.chibo_core.standardAgenda
import uniffi.chibo_domain.AgendaSection
import uniffi.chibo_domain.MeetingKind

/** The generated bindings load the host-built core library through JNA. */
class PipelineTest {
    @Test
    fun theCoreLibraryLoadsAndItsContractMatchesTheBindings() {
        // Loads libchibo_core through JNA and checks the uniffi contract version and the
        // checksums of every exported function against the generated code.
        uniffi.chibo_core.uniffiEnsureInitialized()
        uniffi.chibo_domain.uniffiEnsureInitialized()
    }

    @Test
    fun newIdsAreTimeOrderedUuids() {
        val first = newId()
        val second = newId()
        assertNotEquals(first, second)
        assertEquals(7, UUID.fromString(first).version(), "a UUIDv7")
        assertTrue(first <= second, "ids made later sort later")
    }

    @Test
    fun theStandardAgendaFollowsTheThreePartsOfTheProcedure() {
        for (kind in MeetingKind.entries) {
            val sections = standardAgenda(kind).map { it.section }
            assertEquals(AgendaSection.OPENING, sections.first(), "$kind")
            assertEquals(AgendaSection.CLOSING, sections.last(), "$kind")
            assertTrue(AgendaSection.BODY in sections, "$kind")
            assertEquals(sections.sortedBy { it.ordinal }, sections, "$kind: sections in order")
        }
    }
}
