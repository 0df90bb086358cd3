import CoreLocation
import Presentation

/// Fixes from Core Location, reported live so the screen's accuracy indicator follows each one.
/// The simulated flag is iOS's own (`sourceInformation.isSimulatedBySoftware`).
final class CoreLocationSource: NSObject, LocationSource, CLLocationManagerDelegate {
    private let manager = CLLocationManager()
    private var onReading: ((LocationReading) -> Void)?

    override init() {
        super.init()
        manager.delegate = self
        manager.desiredAccuracy = kCLLocationAccuracyBest
        manager.distanceFilter = kCLDistanceFilterNone
    }

    private final class Watch: Stoppable {
        let stopIt: () -> Void
        init(_ stopIt: @escaping () -> Void) { self.stopIt = stopIt }
        func stop() { stopIt() }
    }

    func start(_ onReading: @escaping (LocationReading) -> Void) -> Stoppable {
        self.onReading = onReading
        begin()
        return Watch { [weak self] in
            self?.manager.stopUpdatingLocation()
            self?.onReading = nil
        }
    }

    private func begin() {
        switch manager.authorizationStatus {
        case .notDetermined:
            onReading?(.searching)
            manager.requestWhenInUseAuthorization()
        case .denied, .restricted:
            onReading?(.permissionDenied)
        case .authorizedWhenInUse, .authorizedAlways:
            guard CLLocationManager.locationServicesEnabled() else {
                onReading?(.disabled)
                return
            }
            // The proof needs the precise position, not the approximate one.
            if manager.accuracyAuthorization == .reducedAccuracy {
                manager.requestTemporaryFullAccuracyAuthorization(withPurposeKey: "CheckIn")
            }
            onReading?(.searching)
            manager.startUpdatingLocation()
        @unknown default:
            onReading?(.permissionDenied)
        }
    }

    func locationManagerDidChangeAuthorization(_ manager: CLLocationManager) {
        if onReading != nil { begin() }
    }

    func locationManager(_ manager: CLLocationManager, didUpdateLocations locations: [CLLocation]) {
        for location in locations where location.horizontalAccuracy >= 0 {
            onReading?(.located(Fix(
                latitude: location.coordinate.latitude, longitude: location.coordinate.longitude,
                accuracyM: location.horizontalAccuracy, fixTime: Int64(location.timestamp.timeIntervalSince1970 * 1000),
                mock: location.sourceInformation?.isSimulatedBySoftware ?? false
            )))
        }
    }

    func locationManager(_ manager: CLLocationManager, didFailWithError error: Error) {
        if (error as? CLError)?.code == .denied { onReading?(.permissionDenied) }
    }
}
