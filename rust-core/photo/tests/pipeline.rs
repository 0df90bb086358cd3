//! The photo pipeline against the shared fixtures (real phone photos, EXIF orientation
//! samples, broken files) and a few generated inputs.

use std::fs;
use std::path::{Path, PathBuf};

use chibo_photo::{process_and_remove_original, process_photo, PhotoError, PhotoSettings};
use turbojpeg::{Decompressor, PixelFormat, ScalingFactor};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/photos"
);

fn fixture(rel: &str) -> PathBuf {
    let path = Path::new(FIXTURES).join(rel);
    assert!(path.exists(), "missing fixture {}", path.display());
    path
}

/// A scratch directory, on tmpfs when there is one: the store fsyncs every file, and on a
/// busy shared disk that alone can take seconds per photo.
fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(dir) = tempfile::Builder::new()
            .prefix("chibo-photo-")
            .tempdir_in(shm)
        {
            return dir;
        }
    }
    tempfile::tempdir().unwrap()
}

fn settings() -> PhotoSettings {
    PhotoSettings::default()
}

/// Decodes a JPEG at 1/8 scale: enough to tell what the picture shows, and cheap.
fn small_rgb(path: &Path) -> (usize, usize, Vec<u8>) {
    let data = fs::read(path).unwrap();
    let mut d = Decompressor::new().unwrap();
    let scale = ScalingFactor::ONE_EIGHTH;
    d.set_scaling_factor(scale).unwrap();
    let header = d.read_header(&data).unwrap().scaled(scale);
    let mut pixels = vec![0u8; 3 * header.width * header.height];
    d.decompress(
        &data,
        turbojpeg::Image {
            pixels: pixels.as_mut_slice(),
            width: header.width,
            pitch: 3 * header.width,
            height: header.height,
            format: PixelFormat::RGB,
        },
    )
    .unwrap();
    (header.width, header.height, pixels)
}

/// Mean absolute difference per sample of two same-sized images.
fn mean_abs_diff(a: &(usize, usize, Vec<u8>), b: &(usize, usize, Vec<u8>)) -> f64 {
    assert_eq!((a.0, a.1), (b.0, b.1), "sizes differ");
    let sum: u64 =
        a.2.iter()
            .zip(&b.2)
            .map(|(&x, &y)| u64::from(x.abs_diff(y)))
            .sum();
    sum as f64 / a.2.len() as f64
}

fn mirrored(img: &(usize, usize, Vec<u8>)) -> (usize, usize, Vec<u8>) {
    let (w, h, p) = img;
    let mut out = vec![0u8; p.len()];
    for y in 0..*h {
        for x in 0..*w {
            let s = 3 * (y * w + (w - 1 - x));
            let d = 3 * (y * w + x);
            out[d..d + 3].copy_from_slice(&p[s..s + 3]);
        }
    }
    (*w, *h, out)
}

/// Checks the JPEG carries nothing before the scan but what a plain JFIF encoder writes.
fn assert_no_metadata(path: &Path) {
    let data = fs::read(path).unwrap();
    assert_eq!(
        &data[..2],
        &[0xFF, 0xD8],
        "{} is not a JPEG",
        path.display()
    );
    let mut i = 2;
    loop {
        assert_eq!(data[i], 0xFF, "marker expected in {}", path.display());
        let marker = data[i + 1];
        if marker == 0xDA {
            break;
        }
        let allowed = matches!(marker, 0xE0 | 0xDB | 0xC0 | 0xC2 | 0xC4 | 0xDD);
        assert!(
            allowed,
            "unexpected segment 0xFF{marker:02X} in {}",
            path.display()
        );
        let len = usize::from(u16::from_be_bytes([data[i + 2], data[i + 3]]));
        if marker == 0xE0 {
            assert_eq!(&data[i + 4..i + 9], b"JFIF\0", "APP0 must be JFIF");
        }
        i += 2 + len;
    }
    let contains = |needle: &[u8]| data.windows(needle.len()).any(|w| w == needle);
    assert!(!contains(b"Exif"), "Exif in {}", path.display());
    assert!(!contains(b"GPS"), "GPS in {}", path.display());
    assert!(
        !contains(b"http://ns.adobe.com"),
        "XMP in {}",
        path.display()
    );
}

fn stored_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn every_orientation_comes_out_upright() {
    let store = scratch();
    // Small outputs keep this quick in unoptimised test builds; orientation does not
    // depend on size (full-size outputs are checked below and in the phone photo test).
    let small = PhotoSettings {
        max_long_edge: 400,
        thumbnail_long_edge: 100,
        ..settings()
    };
    for kind in ["landscape", "portrait"] {
        let process = |n: u32, settings: &PhotoSettings| {
            let input = fixture(&format!("orientation/{kind}_{n}.jpg"));
            process_photo(&input, store.path(), settings).unwrap()
        };
        let reference = small_rgb(&process(1, &small).path);
        // A mirrored picture must be far from the reference, or the check proves nothing.
        let wrong = mean_abs_diff(&reference, &mirrored(&reference));
        assert!(wrong > 20.0, "{kind}: mirror too similar ({wrong:.1})");

        for n in 1..=8 {
            let out = process(n, &small);
            let (long, short) = (400, 267);
            if kind == "landscape" {
                assert_eq!((out.width, out.height), (long, short), "{kind}_{n}");
                assert!(out.thumbnail_width > out.thumbnail_height);
            } else {
                assert_eq!((out.width, out.height), (short, long), "{kind}_{n}");
                assert!(out.thumbnail_height > out.thumbnail_width);
            }
            assert_eq!(out.thumbnail_width.max(out.thumbnail_height), 100);
            let diff = mean_abs_diff(&reference, &small_rgb(&out.path));
            assert!(diff < 6.0, "{kind}_{n} is not upright: diff {diff:.1}");
            assert_no_metadata(&out.path);
            assert_no_metadata(&out.thumbnail_path);
        }

        // At the app's settings too, for a rotated sample.
        let out = process(6, &settings());
        let expected = if kind == "landscape" {
            (1600, 1067)
        } else {
            (1067, 1600)
        };
        assert_eq!((out.width, out.height), expected, "{kind}_6");
        assert_eq!(out.thumbnail_width.max(out.thumbnail_height), 320);
        assert_no_metadata(&out.path);
    }
}

#[test]
fn phone_photos_are_downscaled_and_stripped() {
    let store = scratch();
    let cases = [
        ("phone/nokia_8.3_5g.jpg", (1600, 686)),
        ("phone/iphone.jpg", (1600, 1200)),
        ("phone/jolla.jpg", (1600, 1200)),
        // Smaller than the target: kept at its size, never enlarged.
        ("phone/gps_tagged.jpg", (640, 480)),
    ];
    for (rel, dims) in cases {
        let input = fixture(rel);
        let out = process_photo(&input, store.path(), &settings()).unwrap();
        assert_eq!((out.width, out.height), dims, "{rel}");
        assert_eq!(out.thumbnail_width, 320, "{rel}");
        assert_eq!(out.sha256.len(), 64);
        assert!(out
            .sha256
            .chars()
            .all(|c| matches!(c, '0'..='9' | 'a'..='f')));
        assert_eq!(out.path, store.path().join(format!("{}.jpg", out.sha256)));
        assert_eq!(
            out.thumbnail_path,
            store.path().join(format!("{}.thumb.jpg", out.sha256))
        );
        let bytes = fs::read(&out.path).unwrap();
        assert_eq!(bytes.len() as u64, out.byte_size);
        use sha2::Digest;
        assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), out.sha256);
        let header = turbojpeg::read_header(&bytes).unwrap();
        assert_eq!((header.width as u32, header.height as u32), dims);
        assert_no_metadata(&out.path);
        assert_no_metadata(&out.thumbnail_path);
        assert!(input.exists(), "process_photo must not touch the input");
    }
    // GPS really was in the inputs, so the checks above mean something.
    let gps_input = fs::read(fixture("phone/gps_tagged.jpg")).unwrap();
    assert!(gps_input.windows(4).any(|w| w == b"Exif"));
}

#[test]
fn same_input_twice_gives_the_same_hash_stored_once() {
    let store = scratch();
    let input = fixture("phone/jolla.jpg");
    let a = process_photo(&input, store.path(), &settings()).unwrap();
    let b = process_photo(&input, store.path(), &settings()).unwrap();
    assert_eq!(a, b);
    assert_eq!(
        stored_files(store.path()),
        vec![
            format!("{}.jpg", a.sha256),
            format!("{}.thumb.jpg", a.sha256)
        ]
    );
}

#[test]
fn broken_exif_is_dropped_and_the_photo_kept() {
    let store = scratch();
    let out = process_photo(
        &fixture("invalid/broken_exif.jpg"),
        store.path(),
        &settings(),
    )
    .unwrap();
    assert_eq!((out.width, out.height), (88, 64));
    assert_eq!((out.thumbnail_width, out.thumbnail_height), (88, 64));
    assert_no_metadata(&out.path);
}

#[test]
fn corrupted_jpeg_is_a_typed_error() {
    let store = scratch();
    let err =
        process_photo(&fixture("invalid/corrupted.jpg"), store.path(), &settings()).unwrap_err();
    assert!(matches!(err, PhotoError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("hỏng"), "{err}");
    assert!(stored_files(store.path()).is_empty());
}

#[test]
fn truncated_and_garbage_files_are_typed_errors() {
    let dir = scratch();
    let store = dir.path().join("store");
    let full = fs::read(fixture("phone/jolla.jpg")).unwrap();
    for cut in [3, 100, 5000, full.len() / 2, full.len() - 10] {
        let input = dir.path().join("cut.jpg");
        fs::write(&input, &full[..cut]).unwrap();
        let err = process_photo(&input, &store, &settings()).unwrap_err();
        assert!(
            matches!(err, PhotoError::Corrupt { .. }),
            "cut at {cut}: {err:?}"
        );
    }
    let input = dir.path().join("notes.jpg");
    fs::write(&input, "biên bản họp chi bộ").unwrap();
    let err = process_photo(&input, &store, &settings()).unwrap_err();
    assert!(
        matches!(&err, PhotoError::UnsupportedFormat { format } if format == chibo_photo::UNKNOWN_FORMAT),
        "{err:?}"
    );
    fs::write(&input, b"").unwrap();
    let err = process_photo(&input, &store, &settings()).unwrap_err();
    assert!(matches!(err, PhotoError::Corrupt { .. }), "{err:?}");
}

#[test]
fn heic_is_unsupported_by_name() {
    let store = scratch();
    let err =
        process_photo(&fixture("invalid/iphone.heic"), store.path(), &settings()).unwrap_err();
    assert!(
        matches!(&err, PhotoError::UnsupportedFormat { format } if format == "HEIC"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "Ảnh HEIC chưa được hỗ trợ, hãy chụp lại ở định dạng JPEG."
    );
}

#[test]
fn missing_input_is_not_found() {
    let store = scratch();
    let err = process_photo(&store.path().join("none.jpg"), store.path(), &settings()).unwrap_err();
    assert!(matches!(err, PhotoError::NotFound { .. }), "{err:?}");
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend(kind);
    out.extend(data);
    let crc = crc32(&out[start..]);
    out.extend(crc.to_be_bytes());
}

#[test]
fn huge_png_is_refused_before_decoding() {
    // A 20000×20000 RGB PNG header with a tiny IDAT: decoding it would need 1.2 GB.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(20_000u32.to_be_bytes());
    ihdr.extend(20_000u32.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]); // 8-bit RGB, deflate, adaptive filter, no interlace
    png_chunk(&mut png, b"IHDR", &ihdr);
    png_chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    png_chunk(&mut png, b"IEND", &[]);
    let dir = scratch();
    let input = dir.path().join("huge.png");
    fs::write(&input, &png).unwrap();
    let err = process_photo(&input, &dir.path().join("store"), &settings()).unwrap_err();
    match err {
        PhotoError::TooLarge {
            width,
            height,
            max_pixels,
        } => {
            assert_eq!((width, height), (20_000, 20_000));
            assert_eq!(max_pixels, PhotoSettings::default().max_pixels);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn huge_jpeg_is_refused_before_decoding() {
    // A real JPEG whose frame header is edited to claim 60000×60000.
    let mut data = fs::read(fixture("phone/gps_tagged.jpg")).unwrap();
    // Walk the segments: the EXIF thumbnail inside APP1 has a frame header of its own.
    let mut sof = 2;
    while !matches!(data[sof + 1], 0xC0..=0xC2) {
        sof += 2 + usize::from(u16::from_be_bytes([data[sof + 2], data[sof + 3]]));
    }
    data[sof + 5..sof + 7].copy_from_slice(&60_000u16.to_be_bytes());
    data[sof + 7..sof + 9].copy_from_slice(&60_000u16.to_be_bytes());
    let dir = scratch();
    let input = dir.path().join("huge.jpg");
    fs::write(&input, &data).unwrap();
    let err = process_photo(&input, &dir.path().join("store"), &settings()).unwrap_err();
    assert!(
        matches!(
            err,
            PhotoError::TooLarge {
                width: 60_000,
                height: 60_000,
                ..
            }
        ),
        "{err:?}"
    );
    // The limit is a setting.
    let tight = PhotoSettings {
        max_pixels: 640 * 480 - 1,
        ..settings()
    };
    let err = process_photo(&fixture("phone/gps_tagged.jpg"), dir.path(), &tight).unwrap_err();
    assert!(matches!(err, PhotoError::TooLarge { .. }), "{err:?}");
}

/// A gradient with a white-on-red block in the top-left corner, to see orientation.
fn test_pattern(width: u32, height: u32) -> Vec<u8> {
    let mut rgb = Vec::with_capacity((3 * width * height) as usize);
    for y in 0..height {
        for x in 0..width {
            let marked = x < width / 4 && y < height / 4;
            rgb.extend(if marked {
                [250, 20, 20]
            } else {
                [(x * 255 / width) as u8, (y * 255 / height) as u8, 128]
            });
        }
    }
    rgb
}

#[test]
fn png_input_is_processed() {
    let dir = scratch();
    let input = dir.path().join("photo.png");
    let (w, h) = (2000, 1000);
    {
        let file = fs::File::create(&input).unwrap();
        let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().unwrap();
        writer.write_image_data(&test_pattern(w, h)).unwrap();
    }
    let out = process_photo(&input, &dir.path().join("store"), &settings()).unwrap();
    assert_eq!((out.width, out.height), (1600, 800));
    assert_eq!((out.thumbnail_width, out.thumbnail_height), (320, 160));
    let (sw, _, px) = small_rgb(&out.path);
    assert!(
        px[0] > 200 && px[1] < 80,
        "top-left should be red: {:?}",
        &px[..3]
    );
    assert!(px[3 * (sw - 1)] < 255, "top-right is not the red mark");
}

/// A 400×200 WebP with EXIF orientation 6.
fn webp_with_orientation_6() -> Vec<u8> {
    let (w, h) = (400, 200);
    // EXIF (TIFF, little-endian) with orientation 6: stored sideways, shown rotated right.
    let exif: Vec<u8> = [
        &b"II*\0\x08\0\0\0\x01\0"[..],
        &[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0],
        &[0, 0, 0, 0],
    ]
    .concat();
    let mut bytes = Vec::new();
    let mut enc = image_webp::WebPEncoder::new(&mut bytes);
    enc.set_exif_metadata(exif);
    enc.encode(&test_pattern(w, h), w, h, image_webp::ColorType::Rgb8)
        .unwrap();
    bytes
}

#[cfg(feature = "webp")]
#[test]
fn webp_input_with_exif_orientation_is_processed() {
    let dir = scratch();
    let input = dir.path().join("photo.webp");
    fs::write(&input, webp_with_orientation_6()).unwrap();
    let out = process_photo(&input, &dir.path().join("store"), &settings()).unwrap();
    assert_eq!((out.width, out.height), (200, 400));
    // Rotated clockwise, the red top-left corner ends up top-right.
    let (sw, _, px) = small_rgb(&out.path);
    let tr = 3 * (sw - 1);
    assert!(px[tr] > 200 && px[tr + 1] < 80, "top-right should be red");
    assert_no_metadata(&out.path);
}

/// Without the `webp` feature (the phones' build: `cargo test -p chibo-photo
/// --no-default-features`), WebP is refused by name, nothing is stored, and the original
/// stays.
#[cfg(not(feature = "webp"))]
#[test]
fn webp_without_its_decoder_is_refused_by_name() {
    let dir = scratch();
    let input = dir.path().join("photo.webp");
    fs::write(&input, webp_with_orientation_6()).unwrap();
    let store = dir.path().join("store");
    let err = process_and_remove_original(&input, &store, &settings()).unwrap_err();
    assert!(
        matches!(&err, PhotoError::UnsupportedFormat { format } if format == "WebP"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "Ảnh WebP chưa được hỗ trợ, hãy chụp lại ở định dạng JPEG."
    );
    assert!(input.exists());
    assert!(!store.exists() || fs::read_dir(&store).unwrap().next().is_none());
}

#[test]
fn original_is_removed_only_after_success() {
    let dir = scratch();
    let store = dir.path().join("store");
    let input = dir.path().join("camera.jpg");
    fs::copy(fixture("phone/gps_tagged.jpg"), &input).unwrap();
    let out = process_and_remove_original(&input, &store, &settings()).unwrap();
    assert!(!input.exists(), "original must be gone");
    assert!(out.path.exists() && out.thumbnail_path.exists());

    let broken = dir.path().join("broken.jpg");
    fs::copy(fixture("invalid/corrupted.jpg"), &broken).unwrap();
    assert!(process_and_remove_original(&broken, &store, &settings()).is_err());
    assert!(broken.exists(), "a failed photo keeps its original");

    let heic = dir.path().join("photo.heic");
    fs::copy(fixture("invalid/iphone.heic"), &heic).unwrap();
    assert!(process_and_remove_original(&heic, &store, &settings()).is_err());
    assert!(heic.exists());
}

#[test]
fn settings_are_honoured_and_validated() {
    let store = scratch();
    let custom = PhotoSettings {
        max_long_edge: 800,
        thumbnail_long_edge: 100,
        jpeg_quality: 60,
        ..settings()
    };
    let out = process_photo(&fixture("phone/jolla.jpg"), store.path(), &custom).unwrap();
    assert_eq!((out.width, out.height), (800, 600));
    assert_eq!((out.thumbnail_width, out.thumbnail_height), (100, 75));

    let bad = PhotoSettings {
        jpeg_quality: 0,
        ..settings()
    };
    let err = process_photo(&fixture("phone/jolla.jpg"), store.path(), &bad).unwrap_err();
    assert!(matches!(err, PhotoError::InvalidSettings { .. }), "{err:?}");
}
