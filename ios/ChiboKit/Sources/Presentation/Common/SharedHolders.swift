import ChiboCore
import Foundation

// MARK: - sync

public struct SyncUi: Equatable {
    /// Short, for the indicator: "Đã gửi hết", "Chờ gửi 12 mục", "Lỗi đồng bộ".
    public var headline = "Đang kiểm tra…"
    public var tone = Tone.neutral
    public var detail = ""
    public var lastError: String?
    public var attention: [AttentionItem] = []
    public var running = false
    public init() {}
}

/// The sync indicator and the needs-attention list.
public final class SyncStateHolder: StateHolder<SyncUi> {
    private let sync: SyncCore

    public init(sync: SyncCore, work: Work) {
        self.sync = sync
        super.init(SyncUi(), work: work)
    }

    public func refresh() {
        launch(onError: fail) { [self] in show(try sync.status()) }
    }

    public func syncNow() {
        update { $0.running = true }
        launch(onError: fail) { [self] in show(try sync.syncNow()) }
    }

    public func dismiss(_ id: String) {
        launch(onError: fail) { [self] in
            try sync.dismiss(id)
            show(try sync.status())
        }
    }

    private func fail(_ message: String) {
        update {
            $0.running = false
            $0.tone = .problem
            $0.headline = "Lỗi đồng bộ"
            $0.lastError = message
        }
    }

    private func show(_ status: SyncState) {
        let ui = Self.toUi(status)
        update { $0 = ui }
    }

    public static func toUi(_ s: SyncState) -> SyncUi {
        let pending = s.pendingChanges + s.pendingPhotos
        var ui = SyncUi()
        if !s.needsAttention.isEmpty {
            ui.headline = "\(s.needsAttention.count) mục cần xử lý"
            ui.tone = .problem
        } else if s.lastError != nil {
            ui.headline = pending > 0 ? "Chưa gửi được \(pending) mục" : "Lỗi đồng bộ"
            ui.tone = .warning
        } else if pending > 0 {
            ui.headline = "Chờ gửi \(pending) mục"
            ui.tone = .neutral
        } else {
            ui.headline = "Đã gửi hết"
            ui.tone = .good
        }
        var parts: [String] = []
        if s.pendingChanges > 0 { parts.append("\(s.pendingChanges) thay đổi") }
        if s.pendingPhotos > 0 { parts.append("\(s.pendingPhotos) ảnh") }
        parts.append(s.lastSuccessAt.map { "Lần gửi cuối: \(Format.timeAndDate($0))" } ?? "Chưa gửi lần nào")
        ui.detail = parts.joined(separator: " · ")
        ui.lastError = s.lastError
        ui.attention = s.needsAttention
        return ui
    }
}

// MARK: - settings

public struct TextScaleChoice: Equatable {
    public let label: String
    public let scale: Double
}

public struct SettingsUi: Equatable {
    public var textScale = 1.0
    public var scales = SettingsStateHolder.textScales
    public init() {}
}

/// The text size on top of the system's Dynamic Type (older eyes, small phones).
public final class SettingsStateHolder: StateHolder<SettingsUi> {
    public static let textScales = [
        TextScaleChoice(label: "Vừa", scale: 1.0),
        TextScaleChoice(label: "Lớn", scale: 1.3),
        TextScaleChoice(label: "Rất lớn", scale: 1.6),
    ]
    private let store: SettingsStore

    public init(store: SettingsStore, work: Work) {
        self.store = store
        super.init(SettingsUi(), work: work)
    }

    public func load() {
        let s = store.load()
        update { $0.textScale = s.textScale }
    }

    public func setTextScale(_ scale: Double) {
        var s = store.load()
        s.textScale = scale
        store.save(s)
        update { $0.textScale = scale }
    }
}

// MARK: - enrolment

public struct EnrollmentUi: Equatable {
    public var code = ""
    /// The commune server's address for the typed-code path (a QR carries its own).
    public var serverAddress = ""
    public var busy = false
    public var enrolled: Enrollment?
    public var error: String?
    public init() {}
}

/// Enrolment. The office's QR carries the server's address and the code, so a scan needs
/// nothing else; the short code needs the address once, prefilled with the saved one or the
/// province's default (`defaultServer`, from the app's configuration).
public final class EnrollmentStateHolder: StateHolder<EnrollmentUi> {
    private let core: EnrollmentCore
    private let scanner: QrScanner?

    public init(core: EnrollmentCore, defaultServer: String, scanner: QrScanner?, work: Work) {
        self.core = core
        self.scanner = scanner
        var initial = EnrollmentUi()
        initial.serverAddress = defaultServer
        super.init(initial, work: work)
    }

    public func load() {
        launch(onError: fail) { [self] in
            if let saved = try core.savedServerAddress() { update { $0.serverAddress = saved } }
        }
    }

    /// Codes are printed in groups: spaces and dashes are ignored, letters upper-cased.
    public func typeCode(_ text: String) {
        let code = String(text.uppercased().filter { $0.isLetter || $0.isNumber }.prefix(16))
        update {
            $0.code = code
            $0.error = nil
        }
    }

    public func typeServerAddress(_ text: String) {
        update {
            $0.serverAddress = text.trimmingCharacters(in: .whitespacesAndNewlines)
            $0.error = nil
        }
    }

    /// Scans the office's QR and enrols with what it carries (address and code).
    public func scan() {
        guard let scanner else { return }
        scanner.scan { [weak self] payload in
            guard let self, let payload else { return }
            self.launch(onError: self.fail) { [self] in try self.enrollWith(serverUrl: "", codeOrQr: payload) }
        }
    }

    /// Enrols with the typed code and the address in the field (kept for next time).
    public func enroll() {
        let s = state
        guard s.code.count >= 6 else { return fail("Mã đăng ký gồm ít nhất 6 ký tự") }
        guard !s.serverAddress.isEmpty else { return fail("Nhập địa chỉ máy chủ của xã (văn phòng Đảng ủy xã cho biết)") }
        launch(onError: fail) { [self] in
            let address = try core.saveServerAddress(s.serverAddress)
            update { $0.serverAddress = address }
            try enrollWith(serverUrl: address, codeOrQr: s.code)
        }
    }

    private func enrollWith(serverUrl: String, codeOrQr: String) throws {
        update {
            $0.busy = true
            $0.error = nil
        }
        let enrolled = try core.enroll(serverUrl: serverUrl, codeOrQr: codeOrQr)
        update {
            $0.busy = false
            $0.enrolled = enrolled
        }
    }

    private func fail(_ message: String) {
        update {
            $0.busy = false
            $0.error = message
        }
    }
}
