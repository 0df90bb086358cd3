import ChiboCore
import CoreImage.CIFilterBuiltins
import Presentation
import SwiftUI

struct EnrollmentScreen: View {
    let app: AppModel
    @StateObject private var holder: EnrollmentStateHolder

    init(app: AppModel, make: @autoclosure @escaping () -> EnrollmentStateHolder) {
        self.app = app
        _holder = StateObject(wrappedValue: make())
    }

    var body: some View {
        let s = holder.state
        ScrollView {
            VStack(alignment: .leading, spacing: 20) {
                Text("Sổ Chi bộ").font(.largeTitle.bold())
                Text("Nhập mã đăng ký do Văn phòng Đảng ủy xã cấp, hoặc quét mã QR.").font(.title3)
                BigButton(title: "Quét mã QR", systemImage: "qrcode.viewfinder", action: holder.scan)
                TextField("Mã đăng ký", text: Binding(get: { s.code }, set: holder.typeCode))
                    .font(.system(.title, design: .monospaced))
                    .textInputAutocapitalization(.characters)
                    .autocorrectionDisabled()
                    .padding(14)
                    .background(RoundedRectangle(cornerRadius: 12).stroke(Color(.systemGray3), lineWidth: 2))
                TextField("Địa chỉ máy chủ của xã", text: Binding(get: { s.serverAddress }, set: holder.typeServerAddress))
                    .font(.title3)
                    .keyboardType(.URL)
                    .textInputAutocapitalization(.never)
                    .autocorrectionDisabled()
                    .padding(14)
                    .background(RoundedRectangle(cornerRadius: 12).stroke(Color(.systemGray3), lineWidth: 2))
                if let error = s.error { MessageBox(lines: [error], tone: .problem) }
                BigButton(title: s.busy ? "Đang đăng ký…" : "Đăng ký máy", systemImage: "checkmark.seal", enabled: !s.busy, action: holder.enroll)
            }
            .padding()
        }
        .onAppear(perform: holder.load)
        .onReceive(holder.objectWillChange) { _ in
            DispatchQueue.main.async { if let e = holder.state.enrolled { app.enrolled(e) } }
        }
    }
}

struct SecretaryHomeScreen: View {
    let services: Services
    @StateObject private var holder: HomeStateHolder
    @ObservedObject private var sync: SyncStateHolder

    init(services: Services, make: @autoclosure @escaping () -> HomeStateHolder) {
        self.services = services
        sync = services.sync
        _holder = StateObject(wrappedValue: make())
    }

    private func go(_ screen: Screen) { services.app.navigator.push(screen) }

    var body: some View {
        let s = holder.state
        ScrollView {
            VStack(alignment: .leading, spacing: 16) {
                SyncBanner(sync: sync) { go(.needsAttention) }
                if let next = s.next {
                    Card(title: next.inProgress ? Labels.meetingStatus(.inProgress) : "Buổi họp tới") {
                        Text(next.title).font(.title2.bold())
                        Label(next.whenAndWhere, systemImage: "calendar").font(.body)
                        BigButton(title: next.inProgress ? "Tiếp tục ghi biên bản" : "Bắt đầu buổi họp", systemImage: "pencil.and.list.clipboard") {
                            go(.meetingFlow(meetingId: next.meetingId))
                        }
                        BigButton(title: "Mã xác nhận cho cán bộ", systemImage: "qrcode", prominent: false) { go(.presenceCode(meetingId: next.meetingId)) }
                    }
                } else if !s.loading {
                    Card(title: "Chưa có lịch họp") {
                        BigButton(title: "Lên lịch họp tháng này", systemImage: "calendar.badge.plus") {
                            holder.planNextMeeting { go(.meetingFlow(meetingId: $0)) }
                        }
                    }
                }
                if let last = s.last {
                    Card(title: "Buổi họp trước") {
                        Text(last.title).font(.title3.bold())
                        if let grade = last.grade { ToneLabel(text: grade, tone: last.gradeTone) }
                        Text(last.detail).font(.body)
                        MessageBox(lines: s.lastWarnings, tone: .warning)
                        BigButton(title: "Gửi biên bản", systemImage: "square.and.arrow.up", prominent: false) { go(.share(meetingId: last.meetingId)) }
                    }
                }
                if !s.openTasks.isEmpty {
                    Card(title: "Nhiệm vụ đang làm") {
                        ForEach(s.openTasks, id: \.description) { task in
                            VStack(alignment: .leading, spacing: 2) {
                                Text(task.description).font(.body.weight(.semibold))
                                Text("\(task.assignee) · hạn \(task.deadline)").font(.footnote)
                                if task.overdue { ToneLabel(text: "Quá hạn", tone: .problem) }
                            }
                        }
                    }
                }
                if let warning = s.viabilityWarning { MessageBox(lines: [warning], tone: .warning) }
                Card {
                    MenuRow(title: "Đảng viên", systemImage: "person.3", badge: nil) { go(.roster) }
                    Text(s.members).font(.footnote).foregroundColor(.secondary)
                    Divider()
                    MenuRow(title: "Các buổi họp", systemImage: "clock.arrow.circlepath") { go(.history) }
                    Divider()
                    MenuRow(title: "Kiến nghị", systemImage: "text.bubble") { go(.petitions) }
                    Divider()
                    MenuRow(title: "Hướng dẫn của xã", systemImage: "doc.text") { go(.guidance) }
                    Divider()
                    MenuRow(title: "Cỡ chữ", systemImage: "textformat.size") { go(.settings) }
                }
            }
            .padding()
        }
        .navigationTitle(s.cellName)
        .refreshable { sync.syncNow(); holder.load() }
        .onAppear(perform: holder.load)
        .errorAlert(s.error, dismiss: holder.dismissError)
    }
}

struct RosterScreen: View {
    @StateObject private var holder: RosterStateHolder
    init(make: @autoclosure @escaping () -> RosterStateHolder) { _holder = StateObject(wrappedValue: make()) }

    var body: some View {
        let s = holder.state
        List {
            Section {
                Text(s.summary).font(.headline)
                if let warning = s.viabilityWarning { ToneLabel(text: warning, tone: .warning) }
            }
            ForEach(s.members, id: \.id) { m in
                VStack(alignment: .leading, spacing: 4) {
                    Text(m.name).font(.title3.weight(.semibold))
                    Text([m.role, m.membership].compactMap { $0 }.joined(separator: " · ")).font(.body)
                    if let status = m.status {
                        Text([status, m.statusReason].compactMap { $0 }.joined(separator: ": ")).font(.footnote).foregroundColor(Tone.warning.color)
                    }
                }
                .padding(.vertical, 6)
            }
        }
        .navigationTitle("Đảng viên")
        .onAppear(perform: holder.load)
        .errorAlert(holder.state.error, dismiss: holder.dismissError)
    }
}

struct HistoryScreen: View {
    let services: Services
    @StateObject private var holder: HistoryStateHolder
    init(services: Services, make: @autoclosure @escaping () -> HistoryStateHolder) {
        self.services = services
        _holder = StateObject(wrappedValue: make())
    }

    var body: some View {
        List(holder.state.rows, id: \.meetingId) { row in
            Button { services.app.navigator.push(.meetingFlow(meetingId: row.meetingId)) } label: {
                VStack(alignment: .leading, spacing: 4) {
                    Text(row.title).font(.title3.weight(.semibold))
                    Text(row.detail).font(.body)
                    HStack {
                        if let grade = row.grade { ToneLabel(text: grade, tone: row.gradeTone) }
                        Text(row.status).font(.footnote).foregroundColor(.secondary)
                    }
                }
                .padding(.vertical, 6)
            }
            .buttonStyle(.plain)
        }
        .navigationTitle("Các buổi họp")
        .onAppear(perform: holder.load)
        .errorAlert(holder.state.error, dismiss: holder.dismissError)
    }
}

struct PetitionsScreen: View {
    @StateObject private var holder: PetitionsStateHolder
    init(make: @autoclosure @escaping () -> PetitionsStateHolder) { _holder = StateObject(wrappedValue: make()) }

    var body: some View {
        let s = holder.state
        List {
            if s.waiting > 0 { Text("\(s.waiting) kiến nghị đang chờ xã trả lời").font(.headline) }
            ForEach(s.rows, id: \.id) { row in
                VStack(alignment: .leading, spacing: 6) {
                    Text(row.content).font(.title3)
                    Text("\(row.category) · \(row.raisedBy) · \(row.raisedAt)").font(.footnote)
                    ToneLabel(text: row.status, tone: row.statusTone)
                    ForEach(row.answers, id: \.at) { a in
                        VStack(alignment: .leading, spacing: 2) {
                            Text("\(a.status) · \(a.at)").font(.footnote.weight(.semibold))
                            Text(a.text).font(.body)
                            Text(a.responder).font(.footnote).foregroundColor(.secondary)
                        }
                        .padding(.leading, 12)
                    }
                }
                .padding(.vertical, 6)
            }
        }
        .navigationTitle("Kiến nghị")
        .onAppear(perform: holder.load)
        .errorAlert(holder.state.error, dismiss: holder.dismissError)
    }
}

struct GuidanceScreen: View {
    @StateObject private var holder: GuidanceStateHolder
    init(make: @autoclosure @escaping () -> GuidanceStateHolder) { _holder = StateObject(wrappedValue: make()) }

    var body: some View {
        List(holder.state.items, id: \.id) { g in
            VStack(alignment: .leading, spacing: 6) {
                Text(g.kind).font(.footnote.weight(.semibold)).foregroundColor(partyRed)
                Text(g.title).font(.title3.weight(.semibold))
                Text("\(g.period) · \(g.published)").font(.footnote)
                Text(g.body).font(.body)
                ForEach(g.attachments, id: \.self) { Label($0, systemImage: "paperclip").font(.footnote) }
            }
            .padding(.vertical, 6)
        }
        .navigationTitle("Hướng dẫn của xã")
        .onAppear(perform: holder.load)
        .errorAlert(holder.state.error, dismiss: holder.dismissError)
    }
}

/// The rotating code for visiting cadres, big enough to read across a room, with its QR code.
struct PresenceCodeScreen: View {
    @StateObject private var holder: PresenceCodeStateHolder
    init(make: @autoclosure @escaping () -> PresenceCodeStateHolder) { _holder = StateObject(wrappedValue: make()) }

    var body: some View {
        let s = holder.state
        // Asks the core again when the shown code's span ends.
        TimelineView(.periodic(from: .now, by: 5)) { context in
            VStack(spacing: 24) {
                Text("Cán bộ quét mã hoặc nhập 6 số").font(.title3)
                if let image = qrImage(s.qrPayload) {
                    Image(uiImage: image).interpolation(.none).resizable().scaledToFit().frame(maxWidth: 300)
                        .accessibilityLabel("Mã QR xác nhận có mặt")
                }
                Text(s.code).font(.system(size: 56, weight: .bold, design: .monospaced)).minimumScaleFactor(0.5)
                Text(s.validUntil).font(.title3)
                if let error = s.error { MessageBox(lines: [error], tone: .problem) }
            }
            .padding()
            .onChange(of: context.date) { now in
                if Int64(now.timeIntervalSince1970 * 1000) >= holder.state.validUntilMs { holder.refresh() }
            }
        }
        .navigationTitle("Mã xác nhận")
        .onAppear(perform: holder.refresh)
    }

    /// The QR code drawn by Core Image, medium error correction (a cracked screen still scans).
    private func qrImage(_ payload: String) -> UIImage? {
        guard !payload.isEmpty else { return nil }
        let filter = CIFilter.qrCodeGenerator()
        filter.message = Data(payload.utf8)
        filter.correctionLevel = "M"
        guard let output = filter.outputImage?.transformed(by: CGAffineTransform(scaleX: 10, y: 10)),
              let cg = CIContext().createCGImage(output, from: output.extent) else { return nil }
        return UIImage(cgImage: cg)
    }
}

struct ShareScreen: View {
    @StateObject private var holder: ShareStateHolder
    init(make: @autoclosure @escaping () -> ShareStateHolder) { _holder = StateObject(wrappedValue: make()) }

    var body: some View {
        let s = holder.state
        VStack(alignment: .leading, spacing: 16) {
            BigButton(title: "Biên bản (Word)", systemImage: "doc.richtext", enabled: !s.busy) { holder.render(.minutes) }
            BigButton(title: "Nghị quyết (Word)", systemImage: "doc.text", prominent: false, enabled: !s.busy) { holder.render(.resolution) }
            if s.busy { ProgressView("Đang làm tệp…") }
            if let unavailable = s.unavailable { MessageBox(lines: [unavailable], tone: .neutral) }
            if let error = s.error { MessageBox(lines: [error], tone: .warning) }
            if let ready = s.ready {
                ShareLink(item: URL(fileURLWithPath: ready.path)) {
                    Label("Gửi \(ready.fileName)", systemImage: "square.and.arrow.up")
                        .font(.title3.weight(.semibold)).frame(maxWidth: .infinity, minHeight: 56)
                }
                .buttonStyle(.borderedProminent)
            }
            Spacer()
        }
        .padding()
        .navigationTitle("Gửi biên bản")
    }
}

struct NeedsAttentionScreen: View {
    @ObservedObject var sync: SyncStateHolder

    var body: some View {
        let s = sync.state
        List {
            Section {
                ToneLabel(text: s.headline, tone: s.tone)
                Text(s.detail).font(.body)
                if let error = s.lastError { Text(error).font(.body).foregroundColor(Tone.warning.color) }
                BigButton(title: s.running ? "Đang gửi…" : "Gửi ngay", systemImage: "arrow.triangle.2.circlepath", enabled: !s.running, action: sync.syncNow)
            }
            ForEach(s.attention, id: \.id) { item in
                VStack(alignment: .leading, spacing: 6) {
                    Text(item.what).font(.title3.weight(.semibold))
                    Text(item.reason).font(.body).foregroundColor(Tone.problem.color)
                    Text(item.whatToDo).font(.body)
                    Button("Đã xử lý") { sync.dismiss(item.id) }.font(.headline).frame(minHeight: 48)
                }
                .padding(.vertical, 6)
            }
        }
        .navigationTitle("Đồng bộ")
        .onAppear(perform: sync.refresh)
    }
}

struct SettingsScreen: View {
    @ObservedObject var holder: SettingsStateHolder

    var body: some View {
        let s = holder.state
        VStack(alignment: .leading, spacing: 16) {
            Text("Chọn cỡ chữ dễ đọc").font(.title3)
            ChoiceButtons(choices: s.scales.map { ($0.scale, $0.label) }, selected: s.textScale, choose: holder.setTextScale)
            Text("Chữ mẫu: Biên bản sinh hoạt chi bộ tháng này.").font(.body).padding(.top, 8).foregroundColor(.secondary)
            Spacer()
        }
        .padding()
        .navigationTitle("Cỡ chữ")
    }
}
