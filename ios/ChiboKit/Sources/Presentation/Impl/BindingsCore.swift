import ChiboCore
import Foundation

/// Turns the core's typed errors into `CoreError` with the same Vietnamese message.
func core<T>(_ block: () throws -> T) throws -> T {
    do {
        return try block()
    } catch let e as ChiboError {
        switch e {
        case .Validation(let m): throw CoreError(m, kind: .validation)
        case .NotFound(let m): throw CoreError(m, kind: .notFound)
        case .Frozen(let m): throw CoreError(m, kind: .frozen)
        case .Storage(let m): throw CoreError(m, kind: .storage)
        case .Network(let m): throw CoreError(m, kind: .network)
        case .Unauthorized(let m): throw CoreError(m, kind: .unauthorized)
        }
    } catch let e as KeystoreError {
        switch e {
        case .Unavailable(let m): throw CoreError(m.isEmpty ? "Kho khóa của máy không ký được" : m, kind: .storage)
        }
    }
}

extension CoreError {
    /// Any error a call into the bindings threw, as the app shows it (the core's own words).
    public static func of(_ error: Error) -> CoreError {
        do {
            return try core { throw error }
        } catch let mapped as CoreError {
            return mapped
        } catch {
            return CoreError(StateHolder<Int>.unknownError, kind: .storage)
        }
    }
}

/// The protocols over one `ChiboStore` (the generated bindings). Argument conversion only;
/// the core decides everything.
public final class BindingsCore: CellCore, MeetingCore, VisitsCore, PetitionsCore, GuidanceCore {
    public let store: ChiboStore

    public init(store: ChiboStore) {
        self.store = store
    }

    public func cell(_ cellId: String) throws -> Cell { try core { try store.cell(cellId: cellId) } }
    public func members(_ cellId: String) throws -> [Member] { try core { try store.members(cellId: cellId) } }
    public func home(_ cellId: String) throws -> HomeSummary { try core { try store.home(cellId: cellId) } }
    public func history(_ cellId: String) throws -> [MeetingSummary] { try core { try store.meetingHistory(cellId: cellId) } }

    public func plan(cellId: String, kind: MeetingKind, start: Int64, place: String) throws -> Meeting {
        try core { try store.planMeeting(cellId: cellId, kind: kind, plannedStart: start, plannedPlace: place) }
    }
    public func record(_ meetingId: String) throws -> MeetingRecord { try core { try store.meetingRecord(meetingId: meetingId) } }
    public func meetingRecord(_ meetingId: String) throws -> MeetingRecord { try record(meetingId) }
    public func updateMeeting(_ meeting: Meeting) throws { try core { try store.updateMeeting(meeting: meeting) } }
    public func markAttendance(meetingId: String, memberId: String, attendance: Attendance, reason: String?) throws {
        try core { try store.markAttendance(meetingId: meetingId, memberId: memberId, attendance: attendance, reason: reason) }
    }
    public func addSpeech(meetingId: String, speaker: Speaker, gist: String) throws -> Speech {
        try core { try store.addSpeech(meetingId: meetingId, speaker: speaker, gist: gist) }
    }
    public func previousTasks(_ meetingId: String) throws -> [ChiboCore.Task] { try core { try store.previousTasks(meetingId: meetingId) } }
    public func reviewTask(meetingId: String, taskId: String, outcome: TaskOutcome) throws {
        try core { try store.reviewTask(meetingId: meetingId, taskId: taskId, outcome: outcome, note: nil) }
    }
    public func addTask(meetingId: String, description: String, assigneeId: String, deadline: String) throws -> ChiboCore.Task {
        try core { try store.addTask(meetingId: meetingId, description: description, assigneeId: assigneeId, deadline: deadline) }
    }
    public func recordVote(meetingId: String, question: String, kind: VoteKind, inFavor: Int, against: Int, abstain: Int) throws -> VoteTally {
        try core {
            try store.recordVote(
                meetingId: meetingId, question: question, kind: kind, inFavor: UInt32(inFavor), against: UInt32(against), abstain: UInt32(abstain)
            )
        }
    }
    public func raisePetition(meetingId: String, content: String, category: PetitionCategory, raisedBy: String) throws -> Petition {
        try core { try store.raisePetition(meetingId: meetingId, content: content, category: category, raisedBy: raisedBy) }
    }
    public func setSecretaryScore(meetingId: String, scores: JudgedScores) throws {
        try core { try store.setSecretaryScore(meetingId: meetingId, scores: scores) }
    }
    public func assess(_ meetingId: String) throws -> MeetingAssessment { try core { try store.assessMeeting(meetingId: meetingId) } }
    public func minutesText(_ meetingId: String) throws -> String { try core { try store.minutesText(meetingId: meetingId) } }
    public func sign(_ meetingId: String) throws -> MeetingRecord { try core { try store.signMeeting(meetingId: meetingId) } }
    public func attachPhoto(meetingId: String, cameraFile: String) throws -> PhotoAttachment {
        try core {
            let info = try store.processPhoto(inputPath: cameraFile, removeOriginal: true)
            return try store.attachMeetingPhoto(meetingId: meetingId, photo: photoRef(photo: info))
        }
    }
    public func photos(_ meetingId: String) throws -> [PhotoAttachment] { try core { try store.meetingPhotos(meetingId: meetingId) } }
    public func presenceCode(_ meetingId: String) throws -> PresenceCode { try core { try store.presenceCode(meetingId: meetingId) } }
    public func setStandardAgenda(meetingId: String, kind: MeetingKind) throws {
        try core { try store.setAgenda(meetingId: meetingId, items: standardAgenda(kind: kind)) }
    }

    public func overview(_ cadreId: String) throws -> CadreOverview { try core { try store.cadreOverview(cadreId: cadreId) } }
    public func myCheckIns(_ cadreId: String) throws -> [CheckInRow] { try core { try store.myCheckIns(cadreId: cadreId) } }
    public func processPhoto(cameraFile: String) throws -> PhotoInfo {
        try core { try store.processPhoto(inputPath: cameraFile, removeOriginal: true) }
    }
    public func checkIn(_ request: CheckInRequest, keystore: DeviceKeystore) throws -> CheckInRow {
        try core { try store.checkIn(request: request, keystore: keystore) }
    }
    public func recordObservation(_ observation: Observation) throws -> Observation {
        try core { try store.recordObservation(observation: observation) }
    }

    /// The cell's petitions with the commune's answers.
    public func petitions(_ cellId: String) throws -> [PetitionThread] {
        try core { try store.petitionsOfCell(cellId: cellId).map { PetitionThread(petition: $0.petition, responses: $0.responses) } }
    }

    /// Guidance and notices that synced down for the cell.
    public func guidance(_ cellId: String) throws -> [Guidance] { try core { try store.guidanceForCell(cellId: cellId) } }
}

/// The signed minutes and resolution as Word files, rendered by the core (the same renderer
/// the commune dashboard serves) and written into `outDir` for the share sheet. The core
/// refuses a meeting that is not signed yet, in Vietnamese.
public final class BindingsDocuments: DocumentsCore {
    public static let docxMimeType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    private let store: ChiboStore
    private let outDir: URL

    public init(store: ChiboStore, outDir: URL) {
        self.store = store
        self.outDir = outDir
    }

    public func renderDocx(meetingId: String, kind: DocumentKind) throws -> RenderedDocument {
        let (bytes, meeting, cell) = try core { () -> (Data, Meeting, Cell) in
            let bytes = kind == .minutes ? try store.minutesDocx(meetingId: meetingId) : try store.resolutionDocx(meetingId: meetingId)
            let meeting = try store.meeting(meetingId: meetingId)
            return (bytes, meeting, try store.cell(cellId: meeting.cellId))
        }
        let name = Self.docxFileName(kind: kind, cellName: cell.name, at: meeting.actualStart ?? meeting.plannedStart)
        let file = outDir.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
            // Written beside, then moved: a share never picks up half a file.
            try bytes.write(to: file, options: .atomic)
        } catch {
            throw CoreError("Không lưu được tệp \(name) vào bộ nhớ máy.", kind: .storage)
        }
        return RenderedDocument(path: file.path, fileName: name, mimeType: Self.docxMimeType)
    }

    /// "Bien-ban-Chi-bo-ban-Na-Hau-11-2026.docx": ASCII, so every app that receives it keeps the name.
    public static func docxFileName(kind: DocumentKind, cellName: String, at epochMs: Int64) -> String {
        let prefix = kind == .minutes ? "Bien-ban" : "Nghi-quyet"
        let folded = cellName.replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "Đ", with: "D")
            .decomposedStringWithCanonicalMapping.unicodeScalars
            .filter { !(0x0300...0x036F).contains($0.value) }
        var ascii = ""
        var dash = false
        for scalar in folded {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) {
                ascii.unicodeScalars.append(scalar)
                dash = false
            } else if !dash {
                ascii.append("-")
                dash = true
            }
        }
        let cell = ascii.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        let c = Format.calendar.dateComponents([.year, .month], from: Format.instant(epochMs))
        return "\(prefix)-\(cell)-\(String(format: "%02d", c.month!))-\(c.year!).docx"
    }
}

/// The sync engine behind the façade: push, pull and photo uploads in one call.
public final class BindingsSync: SyncCore {
    private let store: ChiboStore

    public init(store: ChiboStore) {
        self.store = store
    }

    public func status() throws -> SyncState { Self.toApi(try core { try store.syncStatus() }) }

    public func syncNow() throws -> SyncState {
        // A failed run is recorded in the status (last error): the status says what happened.
        do {
            _ = try core { try store.syncNow() }
        } catch is CoreError {}
        return try status()
    }

    public func dismiss(_ id: String) throws {
        guard let number = Int64(id) else { throw CoreError("Không tìm thấy mục cần xử lý", kind: .notFound) }
        try core { try store.dismissNeedsAttention(id: number) }
    }

    /// Server clock minus this device's, for check-ins.
    public func serverOffsetMs() -> Int64? { (try? store.syncStatus())?.serverOffsetMs }

    static func toApi(_ s: SyncStatus) -> SyncState {
        let error = [s.lastError, s.clockWarning].compactMap { $0 }.joined(separator: " ")
        return SyncState(
            pendingChanges: Int64(s.pendingChanges), pendingPhotos: Int64(s.pendingPhotos), lastSuccessAt: s.lastSuccessAt,
            lastError: error.isEmpty ? nil : error,
            needsAttention: s.needsAttention.map { AttentionItem(id: String($0.id), what: $0.what, reason: $0.reason, whatToDo: $0.advice) }
        )
    }
}

/// Enrolment with the one-time code; the keystore's public key becomes the device's identity.
public final class BindingsEnrollment: EnrollmentCore {
    private let store: ChiboStore
    private let keystore: DeviceKeystore
    private let deviceLabel: String

    public init(store: ChiboStore, keystore: DeviceKeystore, deviceLabel: String) {
        self.store = store
        self.keystore = keystore
        self.deviceLabel = deviceLabel
    }

    public func current() throws -> Enrollment? {
        try core { try store.syncStatus() }.enrolledAs.map(Self.toApi).flatMap { try? $0.get() }
    }

    public func enroll(serverUrl: String, codeOrQr: String) throws -> Enrollment {
        let enrolled = try core { try store.enroll(serverUrl: serverUrl, codeOrQr: codeOrQr, deviceLabel: deviceLabel, keystore: keystore) }
        return try Self.toApi(enrolled).get()
    }

    public func savedServerAddress() throws -> String? { try core { try store.serverAddress() } }

    public func saveServerAddress(_ address: String) throws -> String { try core { try store.setServerAddress(address: address) } }

    private static func toApi(_ e: EnrolledAs) -> Result<Enrollment, CoreError> {
        switch e.role {
        case .secretary(let cellId):
            return .success(Enrollment(role: .secretary, personId: e.personId, personName: e.fullName, cellId: cellId, communeName: e.communeName))
        case .cadre(let cadreId):
            return .success(Enrollment(role: .cadre, personId: cadreId, personName: e.fullName, cellId: nil, communeName: e.communeName))
        case .office:
            return .failure(CoreError(
                "Tài khoản của Văn phòng Đảng ủy xã dùng trang quản lý trên máy tính, không dùng ứng dụng này.", kind: .validation
            ))
        }
    }
}
