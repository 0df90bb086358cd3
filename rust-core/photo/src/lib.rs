//! The photo pipeline of chibo: a camera photo becomes an upright, downscaled JPEG without
//! any metadata, plus a thumbnail, both stored under the SHA-256 of the photo's bytes.
//!
//! Steps: recognise the format by its signature → read the header and refuse oversized
//! images before allocating pixels → decode (JPEG at a DCT-reduced size when a smaller size
//! is wanted) → resample with Lanczos3 → apply the EXIF orientation → encode JPEG (fresh
//! JFIF header only, so GPS, maker notes and serial numbers are gone) → thumbnail from the
//! result → hash → write each file crash-safely into the store.
//!
//! Memory: a 12 MP JPEG wanted at 1600 px is decoded at half size (~9 MB of pixels); peak
//! RSS is about 20 MB. PNG and WebP have no reduced decode and cost 3–4 bytes per pixel,
//! bounded by `max_pixels`.
//!
//! Damaged data: libjpeg-turbo's "corrupt data" and "premature end" warnings are treated
//! as [`PhotoError::Corrupt`] rather than storing a half-grey picture nobody looked at.
//!
//! No FFI bindings and no database here: the app façade wraps this crate.

mod decode;
mod error;
mod exif;
mod format;
mod store;
mod transform;

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use turbojpeg::{Compressor, PixelFormat, Subsamp};

pub use error::{PhotoError, UNKNOWN_FORMAT};

use decode::{fit, RgbImage};
use format::Format;

/// How photos are processed. `Default` gives the app's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoSettings {
    /// Longest side of the stored photo, in pixels; smaller photos are never enlarged.
    pub max_long_edge: u32,
    /// Longest side of the thumbnail, in pixels.
    pub thumbnail_long_edge: u32,
    /// JPEG quality, 1–100.
    pub jpeg_quality: u8,
    /// Images with more pixels than this (width × height of the file) are refused before
    /// decoding.
    pub max_pixels: u64,
}

impl Default for PhotoSettings {
    fn default() -> Self {
        PhotoSettings {
            // 1600 px keeps text on a minutes page legible at ~200–400 KB per photo, which a
            // 2G uplink can still carry.
            max_long_edge: 1600,
            thumbnail_long_edge: 320,
            jpeg_quality: 80,
            // Well above any phone camera (50 MP sensors exist), far below what would
            // exhaust a 2 GB phone.
            max_pixels: 50_000_000,
        }
    }
}

impl PhotoSettings {
    fn validate(&self) -> Result<(), PhotoError> {
        let bad = |detail: &str| {
            Err(PhotoError::InvalidSettings {
                detail: detail.to_owned(),
            })
        };
        if self.max_long_edge == 0 || self.thumbnail_long_edge == 0 {
            return bad("kích thước ảnh phải lớn hơn 0");
        }
        if !(1..=100).contains(&self.jpeg_quality) {
            return bad("chất lượng JPEG phải từ 1 đến 100");
        }
        if self.max_pixels == 0 {
            return bad("số điểm ảnh tối đa phải lớn hơn 0");
        }
        Ok(())
    }
}

/// A processed and stored photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedPhoto {
    /// SHA-256 of the stored photo's bytes, lowercase hex; records reference photos by it.
    pub sha256: String,
    /// Size of the stored photo as displayed (orientation applied).
    pub width: u32,
    pub height: u32,
    /// Size of the stored photo file in bytes.
    pub byte_size: u64,
    /// `<store_dir>/<sha256>.jpg`
    pub path: PathBuf,
    /// `<store_dir>/<sha256>.thumb.jpg`
    pub thumbnail_path: PathBuf,
    pub thumbnail_width: u32,
    pub thumbnail_height: u32,
}

/// Processes the photo at `input` and stores the result in `store_dir` (created if
/// missing). The input is left untouched. Processing the same input again with the same
/// settings gives the same hash and stores nothing new.
pub fn process_photo(
    input: &Path,
    store_dir: &Path,
    settings: &PhotoSettings,
) -> Result<ProcessedPhoto, PhotoError> {
    settings.validate()?;
    let data = fs::read(input).map_err(|e| PhotoError::io("đọc", input, e))?;
    let decoded = match format::sniff(&data)? {
        Format::Jpeg => decode::decode_jpeg(&data, settings)?,
        Format::Png => decode::decode_png(&data, settings)?,
        #[cfg(feature = "webp")]
        Format::WebP => decode::decode_webp(&data, settings)?,
        #[cfg(not(feature = "webp"))]
        Format::WebP => {
            return Err(PhotoError::UnsupportedFormat {
                format: "WebP".to_owned(),
            })
        }
    };
    // The compressed input is no longer needed; free it before the big buffers.
    drop(data);

    // Resize in the stored orientation, then rotate the smaller result.
    let (w, h) = fit(
        decoded.full_width,
        decoded.full_height,
        settings.max_long_edge,
    );
    let stored = if (decoded.image.width, decoded.image.height) == (w, h) {
        decoded.image
    } else {
        let resized = transform::resize(&decoded.image, w, h)?;
        drop(decoded.image);
        resized
    };
    let photo = transform::orient(stored, decoded.orientation);

    let (tw, th) = fit(photo.width, photo.height, settings.thumbnail_long_edge);
    let thumbnail_jpeg = if (tw, th) == (photo.width, photo.height) {
        encode(&photo, settings.jpeg_quality)?
    } else {
        encode(&transform::resize(&photo, tw, th)?, settings.jpeg_quality)?
    };
    let photo_jpeg = encode(&photo, settings.jpeg_quality)?;
    let sha256 = hex::encode(Sha256::digest(&photo_jpeg));

    fs::create_dir_all(store_dir).map_err(|e| PhotoError::io("tạo thư mục", store_dir, e))?;
    // Thumbnail first: once the photo exists under its hash, its thumbnail does too.
    let thumbnail_path = store::store(store_dir, &format!("{sha256}.thumb.jpg"), &thumbnail_jpeg)?;
    let path = store::store(store_dir, &format!("{sha256}.jpg"), &photo_jpeg)?;

    Ok(ProcessedPhoto {
        sha256,
        width: photo.width,
        height: photo.height,
        byte_size: photo_jpeg.len() as u64,
        path,
        thumbnail_path,
        thumbnail_width: tw,
        thumbnail_height: th,
    })
}

/// Like [`process_photo`], then deletes `input`, but only once the processed photo and
/// its thumbnail are safely stored. On any processing error the original stays.
pub fn process_and_remove_original(
    input: &Path,
    store_dir: &Path,
    settings: &PhotoSettings,
) -> Result<ProcessedPhoto, PhotoError> {
    let photo = process_photo(input, store_dir, settings)?;
    // Never delete what we just stored, should the caller point at the store itself.
    let same_file = |stored: &Path| match (fs::canonicalize(input), fs::canonicalize(stored)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same_file(&photo.path) || same_file(&photo.thumbnail_path) {
        return Ok(photo);
    }
    match fs::remove_file(input) {
        Ok(()) => Ok(photo),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(photo),
        Err(source) => Err(PhotoError::OriginalNotRemoved {
            photo: Box::new(photo),
            path: input.to_owned(),
            source,
        }),
    }
}

/// Baseline JPEG, 4:2:0 like libvips and cameras below quality 90, optimised Huffman
/// tables (a few percent smaller for the 2G uplink). TurboJPEG writes a JFIF APP0 and
/// nothing else: no EXIF, no ICC, no comments.
fn encode(image: &RgbImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let tj = |e: turbojpeg::Error| PhotoError::corrupt(format!("encode: {e}"));
    let mut compressor = Compressor::new().map_err(tj)?;
    compressor.set_quality(i32::from(quality)).map_err(tj)?;
    compressor.set_subsamp(Subsamp::Sub2x2).map_err(tj)?;
    compressor.set_optimize(true).map_err(tj)?;
    let view = turbojpeg::Image {
        pixels: image.pixels.as_slice(),
        width: image.width as usize,
        pitch: 3 * image.width as usize,
        height: image.height as usize,
        format: PixelFormat::RGB,
    };
    compressor.compress_to_vec(view).map_err(tj)
}
