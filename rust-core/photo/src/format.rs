//! Recognising the input format from its first bytes (never from the file name: galleries
//! and share sheets hand over files with wrong or missing extensions).

use crate::error::{PhotoError, UNKNOWN_FORMAT};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Jpeg,
    Png,
    WebP,
}

pub(crate) fn sniff(data: &[u8]) -> Result<Format, PhotoError> {
    if data.is_empty() {
        return Err(PhotoError::corrupt("empty file"));
    }
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Format::Jpeg);
    }
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(Format::Png);
    }
    if data.len() >= 12 && &data[0..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        return Ok(Format::WebP);
    }
    let unsupported = |format: &str| {
        Err(PhotoError::UnsupportedFormat {
            format: format.to_owned(),
        })
    };
    if let Some(name) = iso_bmff_image_name(data) {
        return unsupported(name);
    }
    if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        return unsupported("GIF");
    }
    if data.starts_with(b"BM") {
        return unsupported("BMP");
    }
    if data.starts_with(b"II*\0") || data.starts_with(b"MM\0*") {
        // Also covers most camera RAW files (DNG, CR2, NEF, ARW), which are TIFF inside.
        return unsupported("TIFF/RAW");
    }
    if data.starts_with(&[0xFF, 0x0A]) || data.starts_with(b"\0\0\0\x0cJXL \r\n\x87\n") {
        return unsupported("JPEG XL");
    }
    unsupported(UNKNOWN_FORMAT)
}

/// HEIF-family files (HEIC, AVIF) start with an ISO-BMFF `ftyp` box: size, "ftyp", a major
/// brand, a minor version, then compatible brands.
fn iso_bmff_image_name(data: &[u8]) -> Option<&'static str> {
    if data.len() < 16 || &data[4..8] != b"ftyp" {
        return None;
    }
    let box_size = u32::from_be_bytes([data[0], data[1], data[2], data[3]]) as usize;
    let end = box_size.clamp(16, data.len().min(4096));
    let major = &data[8..12];
    // Compatible brands start after the 4-byte minor version.
    let brands = std::iter::once(major).chain(data[16..end].chunks_exact(4));
    let mut heif = false;
    for brand in brands {
        match brand {
            b"avif" | b"avis" => return Some("AVIF"),
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"hevm" | b"hevs" => {
                return Some("HEIC")
            }
            b"mif1" | b"msf1" => heif = true,
            _ => {}
        }
    }
    if heif {
        Some("HEIF")
    } else {
        // Some other ISO-BMFF file, most likely a video (mp4, mov, 3gp).
        Some("MP4/MOV")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len();
        let mut v = (size as u32).to_be_bytes().to_vec();
        v.extend_from_slice(b"ftyp");
        v.extend_from_slice(major);
        v.extend_from_slice(&[0, 0, 0, 0]);
        for b in compatible {
            v.extend_from_slice(*b);
        }
        v
    }

    fn unsupported_name(data: &[u8]) -> String {
        match sniff(data) {
            Err(PhotoError::UnsupportedFormat { format }) => format,
            other => panic!("expected UnsupportedFormat, got {other:?}"),
        }
    }

    #[test]
    fn recognises_heif_family_by_brand() {
        assert_eq!(
            unsupported_name(&ftyp(b"heic", &[b"mif1", b"heic"])),
            "HEIC"
        );
        assert_eq!(
            unsupported_name(&ftyp(b"mif1", &[b"mif1", b"avif"])),
            "AVIF"
        );
        assert_eq!(
            unsupported_name(&ftyp(b"mif1", &[b"mif1", b"miaf"])),
            "HEIF"
        );
        assert_eq!(unsupported_name(&ftyp(b"isom", &[b"mp41"])), "MP4/MOV");
    }

    #[test]
    fn recognises_supported_and_other_formats() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]).unwrap(), Format::Jpeg);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....").unwrap(), Format::Png);
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").unwrap(), Format::WebP);
        assert_eq!(unsupported_name(b"GIF89a......"), "GIF");
        assert_eq!(
            unsupported_name(b"hello world, not an image"),
            UNKNOWN_FORMAT
        );
        assert!(matches!(sniff(b""), Err(PhotoError::Corrupt { .. })));
    }
}
