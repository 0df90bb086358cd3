import Presentation
import SwiftUI

struct CadreHomeScreen: View {
    let services: Services
    @StateObject private var holder: CadreHomeStateHolder
    @ObservedObject private var sync: SyncStateHolder

    init(services: Services, make: @autoclosure @escaping () -> CadreHomeStateHolder) {
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
                Card(title: s.month) {
                    Text(s.totals).font(.title3.weight(.semibold))
                }
                ForEach(s.cells, id: \.cellId) { cell in
                    Card(title: cell.name) {
                        ToneLabel(text: cell.visits, tone: cell.behind ? .warning : .good)
                        if cell.awaitingReview > 0 { Text("\(cell.awaitingReview) lần chờ xác nhận").font(.footnote) }
                        ForEach(cell.meetings, id: \.meetingId) { m in
                            Text(m.title).font(.body.weight(.semibold))
                            Label(m.whenAndWhere, systemImage: "calendar").font(.body)
                            BigButton(title: "Điểm danh dự họp", systemImage: "location.fill") {
                                go(.checkIn(meetingId: m.meetingId, cellId: cell.cellId))
                            }
                        }
                    }
                }
                Card {
                    MenuRow(title: "Các lần điểm danh của tôi", systemImage: "list.bullet.rectangle") { go(.myCheckIns) }
                    Divider()
                    MenuRow(title: "Cỡ chữ", systemImage: "textformat.size") { go(.settings) }
                }
            }
            .padding()
        }
        .navigationTitle(s.cadreName)
        .refreshable { sync.syncNow(); holder.load() }
        .onAppear(perform: holder.load)
        .errorAlert(s.error, dismiss: holder.dismissError)
    }
}

/// Photo, location (with its live accuracy), the secretary's code, then the verdict, then
/// what the cadre observed.
struct CheckInScreen: View {
    let services: Services
    @StateObject private var holder: CheckInStateHolder

    init(services: Services, make: @autoclosure @escaping () -> CheckInStateHolder) {
        self.services = services
        _holder = StateObject(wrappedValue: make())
    }

    var body: some View {
        let s = holder.state
        ScrollView {
            VStack(alignment: .leading, spacing: 16) {
                Text(s.cellName).font(.title2.bold())
                Text(s.meetingTitle).font(.title3)
                steps(s.step)
                switch s.step {
                case .photo:
                    Text("Chụp một ảnh tại buổi họp.").font(.title3)
                    BigButton(title: s.busy ? "Đang xử lý ảnh…" : "Chụp ảnh", systemImage: "camera.fill", enabled: !s.busy, action: holder.takePhoto)
                case .location:
                    if let photo = s.photo { Label("Ảnh: \(photo)", systemImage: "photo").font(.body) }
                    Card(title: "Vị trí") {
                        ToneLabel(text: s.location.accuracy.label, tone: s.location.accuracy.tone)
                        if !s.location.accuracyText.isEmpty { Text(s.location.accuracyText).font(.title.monospacedDigit()) }
                        if let problem = s.location.problem { MessageBox(lines: [problem], tone: .warning) }
                    }
                    BigButton(title: "Dùng vị trí này", systemImage: "checkmark", action: holder.acceptLocation)
                case .code:
                    Text("Nhập 6 số trên máy của bí thư chi bộ, hoặc quét mã QR.").font(.title3)
                    TextField("6 số", text: Binding(get: { s.code }, set: holder.typeCode))
                        .keyboardType(.numberPad)
                        .font(.system(size: 40, weight: .bold, design: .monospaced))
                        .multilineTextAlignment(.center)
                        .padding(12)
                        .background(RoundedRectangle(cornerRadius: 12).stroke(Color(.systemGray3), lineWidth: 2))
                    BigButton(title: "Quét mã QR", systemImage: "qrcode.viewfinder", prominent: false, action: holder.scanCode)
                    BigButton(title: s.busy ? "Đang ký…" : "Xác nhận có mặt", systemImage: "signature", enabled: !s.busy && s.code.count == 6, action: holder.submit)
                case .result:
                    if let verdict = s.verdict { VerdictCard(verdict: verdict) }
                    BigButton(title: "Ghi nhận xét buổi họp", systemImage: "square.and.pencil", action: holder.toObservations)
                case .observe:
                    observe(s)
                }
            }
            .padding()
        }
        .navigationTitle("Điểm danh")
        .onAppear { if s.meetingTitle.isEmpty { holder.load() } }
        .errorAlert(s.error, dismiss: holder.dismissError)
    }

    private func steps(_ current: CheckInStep) -> some View {
        HStack(spacing: 6) {
            ForEach(CheckInStep.allCases, id: \.self) { step in
                Text(step.title)
                    .font(.footnote.weight(step == current ? .bold : .regular))
                    .padding(.horizontal, 8).padding(.vertical, 4)
                    .background(Capsule().fill(step == current ? partyRed.opacity(0.15) : Color.clear))
            }
        }
    }

    @ViewBuilder private func observe(_ s: CheckInState) -> some View {
        Card(title: "Ý kiến chỉ đạo đã nêu") {
            TypingBox(placeholder: "Nội dung chỉ đạo", text: s.guidanceGiven, onChange: holder.editGuidance)
        }
        Card(title: "Kinh nghiệm, bài học") {
            TypingBox(placeholder: "Kinh nghiệm", text: s.lessons, onChange: holder.editLessons)
        }
        Card(title: "Chấm điểm buổi họp") {
            ForEach(s.scores, id: \.key) { item in
                Stepper(value: Binding(get: { item.value }, set: { holder.setScore(item.key, $0) }), in: 0...item.max) {
                    VStack(alignment: .leading) {
                        Text(item.label).font(.body)
                        Text("\(item.value)/\(item.max) điểm").font(.headline)
                    }
                }
                .frame(minHeight: 56)
            }
        }
        if s.observationSaved {
            ToneLabel(text: "Đã lưu nhận xét", tone: .good)
        } else {
            BigButton(title: "Lưu nhận xét", systemImage: "tray.and.arrow.down", action: holder.saveObservation)
        }
        Card(title: "Kiến nghị của nhân dân") {
            ForEach(s.petitionsRaised, id: \.self) { Text("• \($0)").font(.body) }
            TypingBox(placeholder: "Nội dung kiến nghị", text: s.petitionDraft, onChange: holder.editPetition)
            ChoiceButtons(choices: s.categories.map { ($0.category, $0.label) }, selected: s.petitionCategory, choose: holder.choosePetitionCategory)
            BigButton(title: "Ghi kiến nghị", systemImage: "plus", prominent: false, action: holder.raisePetition)
        }
    }
}

/// A verdict as every screen shows it: the status, the reasons, what the server still checks,
/// and the office's decision.
struct VerdictCard: View {
    let verdict: VerdictUi

    var body: some View {
        Card {
            ToneLabel(text: verdict.status, tone: verdict.tone).font(.title3)
            ForEach(verdict.detail, id: \.self) { Text($0).font(.body) }
            MessageBox(lines: verdict.reasons, tone: verdict.reasonsTone, title: verdict.reasonsTitle)
            MessageBox(lines: verdict.pending, tone: .neutral, title: "Máy chủ sẽ kiểm tra")
        }
    }
}

struct MyCheckInsScreen: View {
    @StateObject private var holder: MyCheckInsStateHolder
    init(make: @autoclosure @escaping () -> MyCheckInsStateHolder) { _holder = StateObject(wrappedValue: make()) }

    var body: some View {
        List(holder.state.rows, id: \.id) { row in
            VStack(alignment: .leading, spacing: 6) {
                Text(row.cellName).font(.title3.weight(.semibold))
                Text(row.at).font(.footnote)
                VerdictCard(verdict: row.verdict)
            }
            .padding(.vertical, 6)
        }
        .navigationTitle("Điểm danh của tôi")
        .onAppear(perform: holder.load)
        .errorAlert(holder.state.error, dismiss: holder.dismissError)
    }
}
