import AVFoundation
import Presentation
import SwiftUI
import UIKit

/// The camera the state holders ask for: the root view shows the system camera when asked, and
/// the photo goes to an app-private file for the core's photo pipeline (which orients,
/// shrinks, strips and stores it, then removes this file).
final class CameraPresenter: ObservableObject, Camera {
    struct Request: Identifiable {
        let id = UUID()
        let done: (String?) -> Void
    }

    @Published var request: Request?
    private let folder = FileManager.default.temporaryDirectory.appendingPathComponent("camera", isDirectory: true)

    func capture(_ done: @escaping (String?) -> Void) {
        DispatchQueue.main.async { self.request = Request(done: done) }
    }

    func finish(_ image: UIImage?) {
        guard let request else { return }
        self.request = nil
        guard let data = image?.jpegData(compressionQuality: 0.95) else { return request.done(nil) }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let file = folder.appendingPathComponent("\(UUID().uuidString).jpg")
            try data.write(to: file, options: [.atomic, .completeFileProtectionUntilFirstUserAuthentication])
            request.done(file.path)
        } catch {
            request.done(nil)
        }
    }
}

struct CameraView: UIViewControllerRepresentable {
    let onFinish: (UIImage?) -> Void

    func makeUIViewController(context: Context) -> UIImagePickerController {
        let picker = UIImagePickerController()
        // The simulator has no camera: pick a photo instead, for trying the flow.
        picker.sourceType = UIImagePickerController.isSourceTypeAvailable(.camera) ? .camera : .photoLibrary
        picker.delegate = context.coordinator
        return picker
    }

    func updateUIViewController(_ controller: UIImagePickerController, context: Context) {}

    func makeCoordinator() -> Coordinator { Coordinator(onFinish: onFinish) }

    final class Coordinator: NSObject, UIImagePickerControllerDelegate, UINavigationControllerDelegate {
        let onFinish: (UIImage?) -> Void
        init(onFinish: @escaping (UIImage?) -> Void) { self.onFinish = onFinish }

        func imagePickerController(_ picker: UIImagePickerController, didFinishPickingMediaWithInfo info: [UIImagePickerController.InfoKey: Any]) {
            onFinish(info[.originalImage] as? UIImage)
        }

        func imagePickerControllerDidCancel(_ picker: UIImagePickerController) { onFinish(nil) }
    }
}

/// Reads a QR code (enrolment code, presence code) with the camera.
final class QrPresenter: ObservableObject, QrScanner {
    struct Request: Identifiable {
        let id = UUID()
        let done: (String?) -> Void
    }

    @Published var request: Request?

    func scan(_ done: @escaping (String?) -> Void) {
        DispatchQueue.main.async { self.request = Request(done: done) }
    }

    func finish(_ payload: String?) {
        guard let request else { return }
        self.request = nil
        request.done(payload)
    }
}

struct QrScannerView: UIViewControllerRepresentable {
    let onFinish: (String?) -> Void

    func makeUIViewController(context: Context) -> ScannerController {
        let controller = ScannerController()
        controller.onFinish = onFinish
        return controller
    }

    func updateUIViewController(_ controller: ScannerController, context: Context) {}

    final class ScannerController: UIViewController, AVCaptureMetadataOutputObjectsDelegate {
        var onFinish: ((String?) -> Void)?
        private let session = AVCaptureSession()

        override func viewDidLoad() {
            super.viewDidLoad()
            view.backgroundColor = .black
            guard let device = AVCaptureDevice.default(for: .video), let input = try? AVCaptureDeviceInput(device: device),
                  session.canAddInput(input) else { return }
            session.addInput(input)
            let output = AVCaptureMetadataOutput()
            guard session.canAddOutput(output) else { return }
            session.addOutput(output)
            output.setMetadataObjectsDelegate(self, queue: .main)
            output.metadataObjectTypes = [.qr]
            let preview = AVCaptureVideoPreviewLayer(session: session)
            preview.frame = view.layer.bounds
            preview.videoGravity = .resizeAspectFill
            view.layer.addSublayer(preview)
            let cancel = UIButton(type: .system, primaryAction: UIAction(title: "Hủy") { [weak self] _ in self?.finish(nil) })
            cancel.titleLabel?.font = .preferredFont(forTextStyle: .title2)
            cancel.translatesAutoresizingMaskIntoConstraints = false
            view.addSubview(cancel)
            NSLayoutConstraint.activate([
                cancel.bottomAnchor.constraint(equalTo: view.safeAreaLayoutGuide.bottomAnchor, constant: -24),
                cancel.centerXAnchor.constraint(equalTo: view.centerXAnchor),
                cancel.heightAnchor.constraint(greaterThanOrEqualToConstant: 56),
            ])
            DispatchQueue.global(qos: .userInitiated).async { [session] in session.startRunning() }
        }

        override func viewWillDisappear(_ animated: Bool) {
            super.viewWillDisappear(animated)
            session.stopRunning()
        }

        func metadataOutput(_ output: AVCaptureMetadataOutput, didOutput objects: [AVMetadataObject], from connection: AVCaptureConnection) {
            guard let code = objects.compactMap({ ($0 as? AVMetadataMachineReadableCodeObject)?.stringValue }).first else { return }
            finish(code)
        }

        private func finish(_ payload: String?) {
            guard let onFinish else { return }
            self.onFinish = nil
            session.stopRunning()
            onFinish(payload)
        }
    }
}
