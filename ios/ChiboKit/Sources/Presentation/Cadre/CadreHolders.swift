import ChiboCore
import Foundation

// MARK: - assigned cells

public struct AssignedMeetingUi: Equatable {
    public let meetingId: String
    public let title: String
    public let whenAndWhere: String
}

public struct AssignedCellUi: Equatable {
    public let cellId: String
    public let name: String
    /// "1/1 lần tháng này".
    public let visits: String
    public let behind: Bool
    public let awaitingReview: Int
    public let meetings: [AssignedMeetingUi]
}

public struct CadreHomeState: Equatable {
    public var loading = true
    public var cadreName = ""
    public var month = ""
    public var totals = ""
    public var cells: [AssignedCellUi] = []
    public var error: String?
    public init() {}
}

/// The cadre's home: assigned cells, their planned meetings, visits done against required.
public final class CadreHomeStateHolder: StateHolder<CadreHomeState> {
    private let visits: VisitsCore
    private let clock: DeviceClock
    private let cadreId: String

    public init(visits: VisitsCore, clock: DeviceClock, cadreId: String, work: Work) {
        self.visits = visits
        self.clock = clock
        self.cadreId = cadreId
        super.init(CadreHomeState(), work: work)
    }

    public func dismissError() { update { $0.error = nil } }

    public func load() {
        launch(onError: { [weak self] m in self?.update { $0.loading = false; $0.error = m } }) { [self] in
            let o = try visits.overview(cadreId)
            let t = o.compliance.totals
            var s = CadreHomeState()
            s.loading = false
            s.cadreName = o.cadre?.fullName ?? ""
            s.month = Format.monthLabel(clock.now())
            s.totals = "Tháng này: \(t.verifiedThisMonth + t.needsReviewThisMonth)/\(t.requiredThisMonth) lần dự họp"
                + (t.needsReviewThisMonth > 0 ? " (\(t.needsReviewThisMonth) chờ xác nhận)" : "")
            s.cells = o.cells.map { c in
                let comp = o.compliance.perCell.first { $0.cellId == c.cellId }
                let done = (comp?.verifiedThisMonth ?? 0) + (comp?.needsReviewThisMonth ?? 0)
                let required = comp?.requiredThisMonth ?? 0
                return AssignedCellUi(
                    cellId: c.cellId, name: c.cell?.name ?? "Chi bộ chưa đồng bộ về máy", visits: "\(done)/\(required) lần tháng này",
                    behind: done < required, awaitingReview: Int(comp?.needsReviewThisMonth ?? 0),
                    meetings: c.plannedMeetings.map {
                        AssignedMeetingUi(
                            meetingId: $0.id, title: meetingTitle($0.kind, $0.plannedStart),
                            whenAndWhere: "\(Format.timeAndDate($0.plannedStart)) · \($0.plannedPlace)"
                        )
                    }
                )
            }
            update { $0 = s }
        }
    }
}

// MARK: - check-in

public enum CheckInStep: Int, CaseIterable, Equatable {
    case photo, location, code, result, observe

    public var title: String {
        switch self {
        case .photo: return "Chụp ảnh"
        case .location: return "Vị trí"
        case .code: return "Mã xác nhận"
        case .result: return "Kết quả"
        case .observe: return "Ghi nhận"
        }
    }
}

/// How good the fix is, for the live indicator: the core's thresholds and words
/// (`fixQuality`, `fixQualityLabel`); the core judges the fix again with its own limit.
public enum Accuracy: Equatable {
    case none, good, fair, poor

    init(_ quality: FixQuality) {
        switch quality {
        case .good: self = .good
        case .fair: self = .fair
        case .poor: self = .poor
        }
    }

    /// The core's quality, nil while there is no fix yet.
    var quality: FixQuality? {
        switch self {
        case .none: return nil
        case .good: return .good
        case .fair: return .fair
        case .poor: return .poor
        }
    }

    public var label: String { quality.map { fixQualityLabel(quality: $0) } ?? "Đang tìm vị trí…" }

    public var tone: Tone {
        switch self {
        case .none: return .neutral
        case .good: return .good
        case .fair: return .warning
        case .poor: return .problem
        }
    }
}

public struct LocationUi: Equatable {
    public var accuracy = Accuracy.none
    /// "± 12 m".
    public var accuracyText = ""
    public var mock = false
    public var problem: String?
}

public struct CheckInState: Equatable {
    public var step = CheckInStep.photo
    public var meetingTitle = ""
    public var cellName = ""
    public var photo: String?
    public var location = LocationUi()
    public var code = ""
    public var busy = false
    public var verdict: VerdictUi?
    public var guidanceGiven = ""
    public var lessons = ""
    public var scores: [ScoreItem] = Labels.judgedParts().map { ScoreItem(key: $0.key, label: $0.label, value: 0, max: $0.max) }
    public var petitionDraft = ""
    public var petitionCategory: PetitionCategory?
    public var categories: [CategoryChoice] = PetitionCategory.allCases.map { CategoryChoice(category: $0, label: Labels.petitionCategory($0)) }
    public var petitionsRaised: [String] = []
    public var observationSaved = false
    public var error: String?
    public init() {}
}

/// Photo, live location, code (typed or scanned), then the signed check-in and its verdict,
/// then observations and petitions. The keystore signs; the key never leaves it.
public final class CheckInStateHolder: StateHolder<CheckInState> {
    private let visits: VisitsCore
    private let location: LocationSource
    private let camera: Camera
    private let scanner: QrScanner?
    private let clock: DeviceClock
    private let keystore: DeviceKeystore
    private let drafts: TextDrafts
    private let cadreId: String
    private let meetingId: String
    private let cellId: String
    /// Server clock minus this device's, from the last sync (nil: never synced).
    private let serverOffsetMs: () -> Int64?

    private let fixLock = NSLock()
    private var photo: PhotoRef?
    private var fix: Fix?
    private var locating: Stoppable?

    public init(
        visits: VisitsCore, location: LocationSource, camera: Camera, scanner: QrScanner?, clock: DeviceClock,
        keystore: DeviceKeystore, drafts: TextDrafts, cadreId: String, meetingId: String, cellId: String, work: Work,
        serverOffsetMs: @escaping () -> Int64? = { nil }
    ) {
        self.visits = visits
        self.location = location
        self.camera = camera
        self.scanner = scanner
        self.clock = clock
        self.keystore = keystore
        self.drafts = drafts
        self.cadreId = cadreId
        self.meetingId = meetingId
        self.cellId = cellId
        self.serverOffsetMs = serverOffsetMs
        super.init(CheckInState(), work: work)
    }

    deinit { locating?.stop() }

    private func key(_ field: String) -> String { "checkin:\(meetingId):\(field)" }

    private func fail(_ message: String) {
        update {
            $0.error = message
            $0.busy = false
        }
    }

    public func load() {
        let guidance = drafts.get(key("guidance")), lessons = drafts.get(key("lessons")), petition = drafts.get(key("petition"))
        update {
            $0.guidanceGiven = guidance
            $0.lessons = lessons
            $0.petitionDraft = petition
        }
        launch(onError: fail) { [self] in
            let rec = try visits.meetingRecord(meetingId)
            let cell = try visits.overview(cadreId).cells.first { $0.cellId == cellId }?.cell
            update {
                $0.meetingTitle = meetingTitle(rec.meeting.kind, rec.meeting.plannedStart)
                $0.cellName = cell?.name ?? ""
            }
        }
    }

    public func takePhoto() {
        update { $0.busy = true }
        camera.capture { [weak self] file in self?.process(file) }
    }

    private func process(_ file: String?) {
        guard let file else { return update { $0.busy = false } }
        launch(onError: fail) { [self] in
            let info = try visits.processPhoto(cameraFile: file)
            photo = photoRef(photo: info)
            update {
                $0.photo = "\(info.width)×\(info.height) · \(Format.bytesLabel(info.byteSize))"
                $0.step = .location
                $0.busy = false
            }
            work.main { self.startLocating() }
        }
    }

    /// Follows the platform's fixes; the indicator changes with every one.
    public func startLocating() {
        locating?.stop()
        locating = location.start { [weak self] reading in self?.show(reading) }
    }

    private func show(_ reading: LocationReading) {
        switch reading {
        case .located(let f):
            fixLock.lock()
            fix = f
            fixLock.unlock()
            update {
                $0.location = LocationUi(
                    accuracy: Accuracy(fixQuality(accuracyM: f.accuracyM)), accuracyText: "± \(formatDistance(metres: f.accuracyM))", mock: f.mock,
                    problem: f.mock ? "Máy đang dùng vị trí giả: lần điểm danh sẽ cần xem xét" : nil
                )
            }
        case .searching: update { $0.location.problem = nil }
        case .permissionDenied: update { $0.location = LocationUi(problem: "Chưa cho phép ứng dụng dùng vị trí") }
        case .disabled: update { $0.location = LocationUi(problem: "Định vị đang tắt: hãy bật vị trí trong cài đặt") }
        }
    }

    /// Goes on with the best fix so far (a check-in without a fix is allowed, and flagged).
    public func acceptLocation() { update { $0.step = .code } }

    public func typeCode(_ text: String) {
        let digits = String(text.filter(\.isNumber).prefix(6))
        update { $0.code = digits }
    }

    public func scanCode() {
        scanner?.scan { [weak self] payload in
            // chibo:presence:<meeting>:<code>; the core checks the meeting matches.
            guard let self, let payload else { return }
            self.typeCode(String(payload.split(separator: ":", omittingEmptySubsequences: false).last ?? ""))
        }
    }

    public func submit() {
        launch(onError: fail) { [self] in
            let code = state.code
            guard code.count == 6 else { throw CoreError("Nhập đủ 6 số của mã xác nhận") }
            update { $0.busy = true }
            fixLock.lock()
            let f = fix
            fixLock.unlock()
            let request = CheckInRequest(
                meetingId: meetingId, cellId: cellId, cadreId: cadreId, photo: photo,
                gps: f.map { GpsFix(latitude: $0.latitude, longitude: $0.longitude, accuracyM: $0.accuracyM, fixTime: $0.fixTime, mockLocation: $0.mock) },
                deviceWallTime: clock.now(), monotonicMs: clock.monotonicMs(), serverOffsetMs: serverOffsetMs(), presenceCode: code
            )
            let row = try visits.checkIn(request, keystore: keystore)
            work.main { [self] in
                locating?.stop()
                locating = nil
            }
            update {
                $0.step = .result
                $0.verdict = VerdictUi.of(row.verdict)
                $0.busy = false
            }
        }
    }

    public func toObservations() { update { $0.step = .observe } }

    public func editGuidance(_ text: String) {
        drafts.put(key("guidance"), text)
        update { $0.guidanceGiven = text }
    }

    public func editLessons(_ text: String) {
        drafts.put(key("lessons"), text)
        update { $0.lessons = text }
    }

    public func setScore(_ key: String, _ value: Int) {
        update { s in
            s.scores = s.scores.map { item in
                guard item.key == key else { return item }
                var changed = item
                changed.value = min(max(value, 0), item.max)
                return changed
            }
        }
    }

    public func saveObservation() {
        launch(onError: fail) { [self] in
            let s = state
            var judged = ScorePart.zero
            for part in Labels.judgedParts() {
                judged = part.setting(s.scores.first { $0.key == part.key }?.value ?? 0, in: judged)
            }
            _ = try visits.recordObservation(
                Observation(
                    id: "", meetingId: meetingId, cadreId: cadreId, judged: judged,
                    guidanceGiven: s.guidanceGiven.trimmingCharacters(in: .whitespacesAndNewlines),
                    lessonsExchanged: s.lessons.trimmingCharacters(in: .whitespacesAndNewlines), recordedAt: clock.now()
                )
            )
            drafts.put(key("guidance"), "")
            drafts.put(key("lessons"), "")
            update { $0.observationSaved = true }
        }
    }

    public func editPetition(_ text: String) {
        drafts.put(key("petition"), text)
        update { $0.petitionDraft = text }
    }

    public func choosePetitionCategory(_ category: PetitionCategory) { update { $0.petitionCategory = category } }

    public func raisePetition() {
        launch(onError: fail) { [self] in
            let s = state
            let content = s.petitionDraft.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !content.isEmpty else { throw CoreError("Ghi nội dung kiến nghị") }
            let p = try visits.raisePetition(
                meetingId: meetingId, content: content, category: s.petitionCategory ?? .other, raisedBy: raisedByThePeople(cellName: s.cellName)
            )
            drafts.put(key("petition"), "")
            update {
                $0.petitionDraft = ""
                $0.petitionCategory = nil
                $0.petitionsRaised.append(p.content)
            }
        }
    }

    public func dismissError() { update { $0.error = nil } }
}

// MARK: - my check-ins

public struct MyCheckInUi: Equatable {
    public let id: String
    public let cellName: String
    public let at: String
    public let verdict: VerdictUi
}

public struct MyCheckInsState: Equatable {
    public var loading = true
    public var rows: [MyCheckInUi] = []
    public var error: String?
    public init() {}
}

public final class MyCheckInsStateHolder: StateHolder<MyCheckInsState> {
    private let visits: VisitsCore
    private let cadreId: String

    public init(visits: VisitsCore, cadreId: String, work: Work) {
        self.visits = visits
        self.cadreId = cadreId
        super.init(MyCheckInsState(), work: work)
    }

    public func dismissError() { update { $0.error = nil } }

    public func load() {
        launch(onError: { [weak self] m in self?.update { $0.loading = false; $0.error = m } }) { [self] in
            let names = Dictionary(try visits.overview(cadreId).cells.map { ($0.cellId, $0.cell?.name ?? "Chi bộ") }, uniquingKeysWith: { a, _ in a })
            let rows = try visits.myCheckIns(cadreId)
                .sorted { $0.verdict.effectiveTime > $1.verdict.effectiveTime }
                .map { r in
                    MyCheckInUi(
                        id: r.checkIn.id, cellName: names[r.checkIn.cellId] ?? "Chi bộ", at: Format.timeAndDate(r.verdict.effectiveTime),
                        verdict: VerdictUi.of(r.verdict)
                    )
                }
            update {
                $0.loading = false
                $0.rows = rows
                $0.error = nil
            }
        }
    }
}
