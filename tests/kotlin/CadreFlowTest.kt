package chibo.tests

import java.io.File
import java.security.KeyPairGenerator
import java.security.PrivateKey
import java.security.Signature
import java.time.LocalDate
import java.time.ZoneOffset
import kotlin.test.AfterTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertTrue
import uniffi.chibo_core.CheckInRequest
import uniffi.chibo_core.ChiboStore
import uniffi.chibo_core.DeviceKeystore
import uniffi.chibo_core.newId
import uniffi.chibo_core.photoRef
import uniffi.chibo_domain.Assignment
import uniffi.chibo_domain.Cadre
import uniffi.chibo_domain.GpsFix
import uniffi.chibo_domain.JudgedScores
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.Observation
import uniffi.chibo_domain.PetitionCategory
import uniffi.chibo_domain.PresenceCheck
import uniffi.chibo_domain.VerdictCode
import uniffi.chibo_domain.VerdictStatus

/**
 * A keystore as the Android app provides it: the private key stays inside the JDK's
 * provider and the core only asks for signatures (Ed25519, RFC 8032), and for the
 * database key to be wrapped (AES-256-GCM, as the Android Keystore does).
 */
class JdkKeystore : DeviceKeystore {
    private val pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair()
    private val privateKey: PrivateKey = pair.private
    private val wrapping = javax.crypto.KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()

    // X.509 SubjectPublicKeyInfo for Ed25519 ends with the 32 raw key bytes.
    override fun publicKey(): ByteArray = pair.public.encoded.takeLast(32).toByteArray()

    override fun sign(payload: ByteArray): ByteArray =
        Signature.getInstance("Ed25519").run {
            initSign(privateKey)
            update(payload)
            sign()
        }

    override fun keyProtection() = uniffi.chibo_domain.KeyProtection.HARDWARE

    override fun wrapSecret(secret: ByteArray): ByteArray {
        val cipher = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding").apply { init(javax.crypto.Cipher.ENCRYPT_MODE, wrapping) }
        return cipher.iv + cipher.doFinal(secret)
    }

    override fun unwrapSecret(wrapped: ByteArray): ByteArray = try {
        val cipher = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(javax.crypto.Cipher.DECRYPT_MODE, wrapping, javax.crypto.spec.GCMParameterSpec(128, wrapped, 0, 12))
        cipher.doFinal(wrapped, 12, wrapped.size - 12)
    } catch (e: java.security.GeneralSecurityException) {
        throw uniffi.chibo_core.KeystoreException.Unavailable("khóa không phải của máy này")
    }
}

private fun ub(n: Int): UByte = n.toUByte()

/** The visiting cadre's flow through the real library: assignment to compliance. */
class CadreFlowTest {
    private val secretaryDevice = TempStore()
    private val cadreDevice = TempStore()

    @AfterTest
    fun cleanUp() {
        secretaryDevice.close()
        cadreDevice.close()
    }

    private val photo = File("../shared/fixtures/photos/phone/gps_tagged.jpg")
    private val roster = Roster()
    private val cadre = Cadre(
        id = newId(),
        communeId = roster.cell.communeId,
        fullName = "Nguyễn Văn Bình",
        title = "Đảng ủy viên",
    )

    /** The secretary's phone plans today's meeting; the cadre's phone receives it (as sync would). */
    private fun meetingOnBothPhones(secretary: ChiboStore, cadrePhone: ChiboStore): String {
        roster.importInto(secretary)
        val meeting = secretary.plan(roster.cell, MeetingKind.REGULAR, System.currentTimeMillis() - 15 * MINUTE_MS)
        roster.importInto(cadrePhone)
        cadrePhone.recordMeeting(secretary.meetingRecord(meeting.id))
        return meeting.id
    }

    private fun assignCadre(cadrePhone: ChiboStore) {
        cadrePhone.saveCadre(cadre)
        val since = LocalDate.now(ZoneOffset.ofHours(7)).minusMonths(2).toString()
        cadrePhone.assign(Assignment("", cadre.id, roster.cell.id, null, since, null))
    }

    private fun request(meetingId: String, code: String, photoRef: uniffi.chibo_core.PhotoRef?, lat: Double) =
        CheckInRequest(
            meetingId = meetingId,
            cellId = roster.cell.id,
            cadreId = cadre.id,
            photo = photoRef,
            // 150 m accuracy, about 80 m from the registered place (radius 150 m).
            gps = GpsFix(lat, 104.9000, 150.0, System.currentTimeMillis() - 20_000, false),
            deviceWallTime = System.currentTimeMillis(),
            monotonicMs = 9_876_543L,
            serverOffsetMs = 1_200L,
            presenceCode = code,
        )

    @Test
    fun aCadreChecksInWithAPhotoAndAValidCodeThenObservesAndCountsTheVisit() {
        val secretary = secretaryDevice.open()
        val cadrePhone = cadreDevice.open()
        val meetingId = meetingOnBothPhones(secretary, cadrePhone)
        assignCadre(cadrePhone)

        // The secretary's screen shows a code; the cadre types it.
        val shown = secretary.presenceCode(meetingId)
        assertEquals(6, shown.code.length)
        assertTrue(shown.qrPayload.contains(shown.code))

        val processed = cadrePhone.processPhoto(photo.absolutePath, false)
        assertEquals(640u, processed.width, "a small photo is never enlarged")
        val keystore = JdkKeystore()
        val row = cadrePhone.checkIn(request(meetingId, shown.code, photoRef(processed), 21.7174), keystore)

        // The cadre's phone cannot check the code (it never holds the secret), so the
        // verdict waits for the server, with nothing wrong found.
        assertEquals(VerdictStatus.PROVISIONAL, row.verdict.status, row.verdict.reasons.toString())
        assertTrue(row.verdict.reasons.isEmpty(), row.verdict.reasons.toString())
        assertTrue(row.verdict.unchecked.any { it.message.contains("mã xác nhận") }, row.verdict.unchecked.toString())
        assertEquals(processed.sha256, row.checkIn.photoSha256)
        assertEquals(128, row.checkIn.signatureHex.length)

        // The secretary's phone verifies the same code offline.
        assertIs<PresenceCheck.Valid>(secretary.verifyPresence(meetingId, shown.code))
        assertIs<PresenceCheck.WrongCode>(secretary.verifyPresence(meetingId, if (shown.code == "000000") "111111" else "000000"))

        // Observations and a petition collected at the meeting.
        val observation = cadrePhone.recordObservation(
            Observation(
                id = "",
                meetingId = meetingId,
                cadreId = cadre.id,
                judged = JudgedScores(ub(3), ub(2), ub(1), ub(4), ub(8), ub(0), ub(2), ub(1), ub(1), ub(8), ub(5), ub(2), ub(2)),
                guidanceGiven = "Tập trung vận động nhân dân sửa đường ống nước trước mùa khô.",
                lessonsExchanged = "Cần gửi tài liệu cho đảng viên trước 1 ngày.",
                recordedAt = System.currentTimeMillis(),
            ),
        )
        assertTrue(observation.id.isNotEmpty())
        val petition = cadrePhone.raisePetition(
            meetingId, "Đề nghị xã cử cán bộ hướng dẫn nuôi cá lồng", PetitionCategory.LIVELIHOOD, "Nhân dân bản Nà Hẩu",
        )
        assertEquals(roster.cell.id, petition.cellId)

        // This month: one visit done (awaiting review), one required.
        val overview = cadrePhone.cadreOverview(cadre.id)
        assertEquals(listOf(roster.cell.id), overview.cells.map { it.cellId })
        assertEquals(listOf(meetingId), overview.cells.single().plannedMeetings.map { it.id })
        val totals = overview.compliance.totals
        assertEquals(1u, totals.requiredThisMonth)
        assertEquals(0u, totals.verifiedThisMonth)
        assertEquals(1u, totals.needsReviewThisMonth)
        assertEquals(listOf(row.checkIn.id), cadrePhone.myCheckIns(cadre.id).map { it.checkIn.id })

        // The same photo again is flagged, with the reason in Vietnamese.
        val again = cadrePhone.checkIn(request(meetingId, shown.code, photoRef(processed), 21.7174), keystore)
        assertEquals(VerdictStatus.NEEDS_REVIEW, again.verdict.status)
        assertTrue(again.verdict.reasons.any { it.code == VerdictCode.PHOTO_REUSED && it.message.startsWith("Ảnh đã được dùng") }, again.verdict.reasons.toString())
    }

    @Test
    fun aCheckInFarFromTheMeetingPlaceNeedsReviewWithTheDistance() {
        val secretary = secretaryDevice.open()
        val cadrePhone = cadreDevice.open()
        val meetingId = meetingOnBothPhones(secretary, cadrePhone)
        assignCadre(cadrePhone)
        val code = secretary.presenceCode(meetingId).code
        val processed = cadrePhone.processPhoto(photo.absolutePath, false)

        // 0.1114° of latitude is about 12.4 km north of the meeting place.
        val row = cadrePhone.checkIn(request(meetingId, code, photoRef(processed), 21.7167 + 0.1114), JdkKeystore())
        assertEquals(VerdictStatus.NEEDS_REVIEW, row.verdict.status)
        assertTrue(row.verdict.reasons.any { it.message == "Vị trí cách điểm họp 12,4 km" }, row.verdict.reasons.toString())
    }
}
