import Presentation
import SwiftUI

// Large targets, icons with words, colours that say good / to do / problem, and system text
// styles everywhere so that Dynamic Type (and the app's own text size) scales every screen.

extension Tone {
    var color: Color {
        switch self {
        case .good: return Color(red: 0.10, green: 0.50, blue: 0.22)
        case .neutral: return Color(red: 0.20, green: 0.33, blue: 0.55)
        case .warning: return Color(red: 0.72, green: 0.42, blue: 0.0)
        case .problem: return Color(red: 0.75, green: 0.10, blue: 0.10)
        }
    }

    var symbol: String {
        switch self {
        case .good: return "checkmark.circle.fill"
        case .neutral: return "info.circle.fill"
        case .warning: return "exclamationmark.triangle.fill"
        case .problem: return "xmark.octagon.fill"
        }
    }
}

/// The Party's red, for the main action of a screen.
let partyRed = Color(red: 0.73, green: 0.09, blue: 0.09)

/// A full-width button at least 56 points tall, with an icon and a word.
struct BigButton: View {
    let title: String
    let systemImage: String
    var prominent = true
    var enabled = true
    let action: () -> Void

    var body: some View {
        Button(action: action) {
            Label(title, systemImage: systemImage)
                .font(.title3.weight(.semibold))
                .frame(maxWidth: .infinity, minHeight: 56)
                .padding(.horizontal, 8)
        }
        .buttonStyle(.borderedProminent)
        .tint(prominent ? partyRed : Color(.systemGray4))
        .foregroundColor(prominent ? .white : .primary)
        .disabled(!enabled)
        .accessibilityLabel(title)
    }
}

/// A rounded card with an optional heading.
struct Card<Content: View>: View {
    var title: String?
    @ViewBuilder let content: Content

    var body: some View {
        VStack(alignment: .leading, spacing: 10) {
            if let title {
                Text(title).font(.headline).accessibilityAddTraits(.isHeader)
            }
            content
        }
        .frame(maxWidth: .infinity, alignment: .leading)
        .padding(16)
        .background(RoundedRectangle(cornerRadius: 14).fill(Color(.secondarySystemBackground)))
    }
}

/// A judgement in words with its colour and icon (never colour alone).
struct ToneLabel: View {
    let text: String
    let tone: Tone

    var body: some View {
        Label(text, systemImage: tone.symbol)
            .font(.body.weight(.semibold))
            .foregroundColor(tone.color)
    }
}

/// Lines to read before going on: blockers, warnings, reasons.
struct MessageBox: View {
    let lines: [String]
    let tone: Tone
    var title: String?

    var body: some View {
        if !lines.isEmpty {
            VStack(alignment: .leading, spacing: 6) {
                if let title { ToneLabel(text: title, tone: tone) }
                ForEach(lines, id: \.self) { line in
                    Text("• \(line)").font(.body).fixedSize(horizontal: false, vertical: true)
                }
            }
            .frame(maxWidth: .infinity, alignment: .leading)
            .padding(14)
            .background(RoundedRectangle(cornerRadius: 12).fill(tone.color.opacity(0.12)))
        }
    }
}

/// A row that opens another screen: big, with an icon and a word.
struct MenuRow: View {
    let title: String
    let systemImage: String
    var badge: String?
    let action: () -> Void

    var body: some View {
        Button(action: action) {
            HStack(spacing: 14) {
                Image(systemName: systemImage).font(.title2).frame(width: 36)
                Text(title).font(.title3)
                Spacer()
                if let badge { Text(badge).font(.headline).foregroundColor(.white).padding(.horizontal, 10).padding(.vertical, 4).background(Capsule().fill(partyRed)) }
                Image(systemName: "chevron.right").foregroundColor(.secondary)
            }
            .frame(minHeight: 56)
            .contentShape(Rectangle())
        }
        .buttonStyle(.plain)
    }
}

/// A choice among a few values, as big buttons (a picker wheel is hard for older eyes).
struct ChoiceButtons<Value: Hashable>: View {
    let choices: [(Value, String)]
    let selected: Value?
    let choose: (Value) -> Void

    var body: some View {
        VStack(spacing: 8) {
            ForEach(choices, id: \.0) { value, label in
                Button { choose(value) } label: {
                    HStack {
                        Image(systemName: value == selected ? "largecircle.fill.circle" : "circle")
                        Text(label).multilineTextAlignment(.leading)
                        Spacer()
                    }
                    .font(.body)
                    .frame(minHeight: 48)
                    .padding(.horizontal, 12)
                    .background(RoundedRectangle(cornerRadius: 10).stroke(value == selected ? partyRed : Color(.systemGray3), lineWidth: 2))
                    .contentShape(Rectangle())
                }
                .buttonStyle(.plain)
            }
        }
    }
}

/// A multi-line text box that keeps what is typed (the holder writes drafts at once).
struct TypingBox: View {
    let placeholder: String
    let text: String
    let onChange: (String) -> Void

    var body: some View {
        TextField(placeholder, text: Binding(get: { text }, set: onChange), axis: .vertical)
            .lineLimit(3...8)
            .font(.body)
            .padding(12)
            .background(RoundedRectangle(cornerRadius: 10).stroke(Color(.systemGray3)))
    }
}

extension View {
    /// Shows a holder's error in an alert; dismissing it clears it.
    func errorAlert(_ message: String?, dismiss: @escaping () -> Void) -> some View {
        alert("Chưa làm được", isPresented: Binding(get: { message != nil }, set: { if !$0 { dismiss() } })) {
            Button("Đã hiểu", role: .cancel, action: dismiss)
        } message: {
            Text(message ?? "")
        }
    }
}

/// The sync indicator on every home screen; tapping it opens the needs-attention list.
struct SyncBanner: View {
    @ObservedObject var sync: SyncStateHolder
    let open: () -> Void

    var body: some View {
        let s = sync.state
        Button(action: open) {
            HStack(spacing: 12) {
                if s.running { ProgressView() } else { Image(systemName: s.tone.symbol).font(.title2).foregroundColor(s.tone.color) }
                VStack(alignment: .leading, spacing: 2) {
                    Text(s.headline).font(.headline).foregroundColor(s.tone.color)
                    Text(s.detail).font(.footnote).foregroundColor(.secondary)
                }
                Spacer()
                Image(systemName: "chevron.right").foregroundColor(.secondary)
            }
            .frame(minHeight: 56)
            .contentShape(Rectangle())
        }
        .buttonStyle(.plain)
        .onAppear { sync.refresh() }
    }
}
