import ChiboCore
import Presentation
import SwiftUI

/// The seven steps of a meeting, one screen each, with the stepper on top and Back / Next
/// below. What keeps a step from being done is said above the Next button.
struct MeetingFlowScreen: View {
    let services: Services
    let meetingId: String
    @StateObject private var holder: MeetingFlowStateHolder
    @State private var confirmSign = false

    init(services: Services, meetingId: String, make: @autoclosure @escaping () -> MeetingFlowStateHolder) {
        self.services = services
        self.meetingId = meetingId
        _holder = StateObject(wrappedValue: make())
    }

    var body: some View {
        let s = holder.state
        VStack(spacing: 0) {
            stepper(s)
            ScrollView {
                VStack(alignment: .leading, spacing: 16) {
                    Text("\(s.step.number). \(s.step.title)").font(.title2.bold()).accessibilityAddTraits(.isHeader)
                    switch s.step {
                    case .prepare: PrepareStep(s: s.prepare, holder: holder)
                    case .open: OpenStep(s: s.open, holder: holder)
                    case .body: BodyStep(s: s.body, holder: holder)
                    case .closing: ClosingStep(s: s.closing, holder: holder)
                    case .photos: PhotosStep(s: s.photos, holder: holder)
                    case .review: ReviewStep(s: s.review)
                    case .sign: signStep(s)
                    }
                    if s.step != .sign { MessageBox(lines: s.blockers, tone: .warning, title: "Cần làm trước khi sang bước sau") }
                }
                .padding()
            }
            HStack(spacing: 12) {
                if s.step != .prepare {
                    BigButton(title: "Quay lại", systemImage: "arrow.left", prominent: false) { holder.back() }
                }
                if s.step != .sign {
                    BigButton(title: "Tiếp theo", systemImage: "arrow.right", enabled: s.blockers.isEmpty, action: holder.next)
                }
            }
            .padding()
            .background(.bar)
        }
        .navigationTitle(s.title)
        .navigationBarTitleDisplayMode(.inline)
        .onAppear { if s.meetingId.isEmpty { holder.load(meetingId) } }
        .errorAlert(s.error, dismiss: holder.dismissError)
        .confirmationDialog("Ký biên bản? Sau khi ký, biên bản không sửa được nữa.", isPresented: $confirmSign, titleVisibility: .visible) {
            Button("Ký biên bản", role: .destructive, action: holder.sign)
            Button("Chưa ký", role: .cancel) {}
        }
    }

    private func stepper(_ s: MeetingFlowState) -> some View {
        ScrollView(.horizontal, showsIndicators: false) {
            HStack(spacing: 8) {
                ForEach(FlowStep.allCases, id: \.self) { step in
                    Button { holder.goTo(step) } label: {
                        Text(s.completed.contains(step) ? "✓" : "\(step.number)")
                            .font(.headline)
                            .frame(width: 44, height: 44)
                            .background(Circle().fill(step == s.step ? partyRed : s.completed.contains(step) ? Tone.good.color : Color(.systemGray4)))
                            .foregroundColor(.white)
                    }
                    .accessibilityLabel("Bước \(step.number): \(step.title)")
                }
            }
            .padding(.horizontal)
            .padding(.vertical, 8)
        }
    }

    @ViewBuilder private func signStep(_ s: MeetingFlowState) -> some View {
        Card {
            Text("Chủ trì: \(s.sign.chair)").font(.title3)
            Text("Thư ký: \(s.sign.minuteTaker)").font(.title3)
        }
        if let signedAt = s.sign.signedAt {
            ToneLabel(text: "Đã ký lúc \(signedAt)", tone: .good)
            BigButton(title: "Gửi biên bản", systemImage: "square.and.arrow.up") { services.app.navigator.push(.share(meetingId: s.meetingId)) }
        } else {
            BigButton(title: "Ký biên bản", systemImage: "signature") { confirmSign = true }
        }
        BigButton(title: "Mã xác nhận cho cán bộ", systemImage: "qrcode", prominent: false) {
            services.app.navigator.push(.presenceCode(meetingId: s.meetingId))
        }
    }
}

private struct PrepareStep: View {
    let s: PrepareUi
    let holder: MeetingFlowStateHolder

    var body: some View {
        Toggle("Đã báo cho đảng viên", isOn: Binding(get: { s.noticeToMembers }, set: holder.setNoticeToMembers)).font(.title3).frame(minHeight: 48)
        Toggle("Đã báo cho Đảng ủy xã", isOn: Binding(get: { s.noticeToCadre }, set: holder.setNoticeToCadre)).font(.title3).frame(minHeight: 48)
        Text("Tài liệu đến tay đảng viên").font(.headline)
        ChoiceButtons(
            choices: [(0, "Chưa gửi"), (1, "Trước 1 ngày"), (2, "Trước 2 ngày"), (3, "Trước 3 ngày trở lên")],
            selected: s.documentsDaysBefore ?? 0
        ) { holder.setDocumentsDaysBefore($0 == 0 ? nil : $0) }
        if !s.guidance.isEmpty { MessageBox(lines: s.guidance, tone: .neutral, title: "Hướng dẫn của xã tháng này") }
    }
}

private struct OpenStep: View {
    let s: OpenUi
    let holder: MeetingFlowStateHolder
    @State private var excusing: String?

    var body: some View {
        if let started = s.startedAt {
            ToneLabel(text: "Bắt đầu lúc \(started)", tone: .good)
        } else {
            BigButton(title: "Bắt đầu họp", systemImage: "play.fill", action: holder.startNow)
        }
        person("Người chủ trì", s.chair, holder.chooseChair)
        person("Thư ký ghi biên bản", s.minuteTaker, holder.chooseMinuteTaker)
        HStack {
            Text("Điểm danh").font(.title3.bold())
            Spacer()
            Text(s.presentSummary).font(.title3)
        }
        BigButton(title: "Những người còn lại có mặt", systemImage: "person.3.fill", prominent: false, action: holder.markRestPresent)
        ForEach(s.rollCall, id: \.memberId) { row in
            Card {
                Text(row.name).font(.title3.weight(.semibold))
                Text(row.detail).font(.footnote)
                Menu {
                    ForEach(s.marks, id: \.label) { mark in
                        Button(mark.label) {
                            if mark.attendance == .absentExcused { excusing = row.memberId }
                            holder.mark(row.memberId, mark.attendance, reason: row.reason)
                        }
                    }
                } label: {
                    Label(row.markLabel ?? "Chọn", systemImage: row.mark == nil ? "questionmark.circle" : "checkmark.circle")
                        .font(.title3).frame(maxWidth: .infinity, minHeight: 48)
                }
                .buttonStyle(.bordered)
                if row.mark == .absentExcused {
                    if excusing == row.memberId || (row.reason ?? "").isEmpty {
                        ChoiceButtons(choices: excuseReasons.map { ($0, $0) }, selected: row.reason) { reason in
                            holder.mark(row.memberId, .absentExcused, reason: reason)
                            excusing = nil
                        }
                    } else if let reason = row.reason {
                        Button("Lý do: \(reason)") { excusing = row.memberId }.font(.body)
                    }
                }
            }
        }
    }

    private func person(_ title: String, _ chosen: PersonChoice?, _ choose: @escaping (String) -> Void) -> some View {
        Menu {
            ForEach(s.candidates, id: \.id) { p in Button([p.name, p.detail].compactMap { $0 }.joined(separator: " · ")) { choose(p.id) } }
        } label: {
            VStack(alignment: .leading) {
                Text(title).font(.footnote)
                Text(chosen?.name ?? "Chọn người").font(.title3.weight(.semibold))
            }
            .frame(maxWidth: .infinity, minHeight: 56, alignment: .leading)
        }
        .buttonStyle(.bordered)
    }
}

private struct BodyStep: View {
    let s: BodyUi
    let holder: MeetingFlowStateHolder

    var body: some View {
        if !s.previousTasks.isEmpty {
            Text("Đánh giá nhiệm vụ tháng trước").font(.title3.bold())
            ForEach(s.previousTasks, id: \.taskId) { t in
                Card {
                    Text(t.description).font(.body.weight(.semibold))
                    Text("\(t.assignee) · hạn \(t.deadline)").font(.footnote)
                    ChoiceButtons(choices: s.outcomes.map { ($0.label, $0.label) }, selected: t.outcome) { label in
                        if let o = s.outcomes.first(where: { $0.label == label }) { holder.reviewTask(t.taskId, o.outcome) }
                    }
                }
            }
        }
        Text("Ý kiến phát biểu").font(.title3.bold())
        ForEach(s.speeches, id: \.id) { sp in
            VStack(alignment: .leading) {
                Text(sp.speaker).font(.headline)
                Text(sp.gist).font(.body)
            }
        }
        Menu {
            ForEach(s.speakers, id: \.id) { p in Button(p.name) { holder.chooseSpeaker(p.id) } }
        } label: {
            Label(s.speakers.first { $0.id == s.draftSpeakerId }?.name ?? "Chọn người phát biểu", systemImage: "person.wave.2")
                .font(.title3).frame(maxWidth: .infinity, minHeight: 56)
        }
        .buttonStyle(.bordered)
        TypingBox(placeholder: "Tóm tắt ý kiến", text: s.draftGist, onChange: holder.editGist)
        BigButton(title: "Thêm ý kiến", systemImage: "plus", prominent: false, action: holder.addSpeech)
    }
}

private struct ClosingStep: View {
    let s: ClosingUi
    let holder: MeetingFlowStateHolder

    var body: some View {
        Card(title: "Nhiệm vụ tháng tới") {
            ForEach(s.tasks, id: \.id) { t in Text("• \(t.description) (\(t.assignee), hạn \(t.deadline))").font(.body) }
            TypingBox(placeholder: "Nội dung nhiệm vụ", text: s.draftTask, onChange: holder.editTask)
            Menu {
                ForEach(s.assignees, id: \.id) { p in Button(p.name) { holder.chooseAssignee(p.id) } }
            } label: {
                Label(s.assignees.first { $0.id == s.draftAssigneeId }?.name ?? "Chọn người thực hiện", systemImage: "person")
                    .font(.title3).frame(maxWidth: .infinity, minHeight: 56)
            }
            .buttonStyle(.bordered)
            ChoiceButtons(choices: s.deadlines.map { ($0.isoDate, $0.label) }, selected: s.draftDeadline, choose: holder.chooseDeadline)
            BigButton(title: "Giao nhiệm vụ", systemImage: "plus", prominent: false, action: holder.addTask)
        }
        Card(title: "Biểu quyết") {
            ForEach(s.votes, id: \.id) { v in Text("• \(v.question): \(v.tally)").font(.body) }
            TypingBox(placeholder: "Nội dung biểu quyết", text: s.voteQuestion, onChange: holder.editVoteQuestion)
            Text("\(s.voters) đảng viên chính thức có mặt được biểu quyết").font(.footnote)
            counter("Tán thành", s.inFavor) { holder.changeVote(inFavor: $0) }
            counter("Không tán thành", s.against) { holder.changeVote(against: $0) }
            counter("Không biểu quyết", s.abstain) { holder.changeVote(abstain: $0) }
            BigButton(title: "Ghi kết quả", systemImage: "checkmark", prominent: false, action: holder.recordVote)
        }
        Card(title: "Kiến nghị của nhân dân") {
            ForEach(s.petitions, id: \.id) { p in Text("• \(p.content) (\(p.category))").font(.body) }
            TypingBox(placeholder: "Nội dung kiến nghị", text: s.draftPetition, onChange: holder.editPetition)
            ChoiceButtons(choices: s.categories.map { ($0.category, $0.label) }, selected: s.draftCategory, choose: holder.choosePetitionCategory)
            BigButton(title: "Ghi kiến nghị", systemImage: "plus", prominent: false, action: holder.raisePetition)
        }
        Card(title: "Chi bộ tự chấm điểm") {
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
        Card(title: "Kết luận của chủ trì") {
            TypingBox(placeholder: "Kết luận", text: s.conclusion, onChange: holder.editConclusion)
        }
        if let ended = s.endedAt {
            ToneLabel(text: "Kết thúc lúc \(ended)", tone: .good)
        } else {
            BigButton(title: "Kết thúc buổi họp", systemImage: "stop.fill", action: holder.endNow)
        }
    }

    private func counter(_ title: String, _ value: Int, _ change: @escaping (Int) -> Void) -> some View {
        HStack(spacing: 12) {
            Text(title).font(.body)
            Spacer()
            Button { change(-1) } label: { Image(systemName: "minus.circle.fill").font(.largeTitle) }.accessibilityLabel("Bớt \(title)")
            Text("\(value)").font(.title.monospacedDigit()).frame(minWidth: 48)
            Button { change(1) } label: { Image(systemName: "plus.circle.fill").font(.largeTitle) }.accessibilityLabel("Thêm \(title)")
        }
    }
}

private struct PhotosStep: View {
    let s: PhotosUi
    let holder: MeetingFlowStateHolder

    var body: some View {
        Text("Chụp ảnh buổi họp để lưu cùng biên bản.").font(.body)
        BigButton(title: s.busy ? "Đang xử lý ảnh…" : "Chụp ảnh", systemImage: "camera.fill", enabled: !s.busy, action: holder.takePhoto)
        ForEach(s.photos, id: \.sha256) { Label($0.label, systemImage: "photo").font(.body) }
    }
}

private struct ReviewStep: View {
    let s: ReviewUi

    var body: some View {
        Card {
            Text(s.score).font(.title.bold())
            ToneLabel(text: s.grade, tone: s.gradeTone)
            Text(s.attendance).font(.body)
        }
        ForEach(s.warnings, id: \.message) { w in ToneLabel(text: w.message, tone: w.tone) }
        Card(title: "Biên bản") {
            Text(s.minutes).font(.body).textSelection(.enabled)
        }
    }
}
