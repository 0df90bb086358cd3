//! Reading the one EXIF field we use, the orientation, with bounds checks everywhere: any
//! malformed metadata simply means "upright" (phones write broken EXIF more often than one
//! would think, and a bad tag must never cost the photo). Nothing else from EXIF survives
//! into the output: the encoder writes fresh JFIF only.

/// EXIF orientation (1–8) of a JPEG, from the first APP1 "Exif" segment; 1 if absent or bad.
pub(crate) fn jpeg_orientation(data: &[u8]) -> u8 {
    let mut i = 2; // after SOI
    while i + 4 <= data.len() {
        if data[i] != 0xFF {
            return 1;
        }
        let marker = data[i + 1];
        match marker {
            0xFF => {
                // Fill byte before a marker.
                i += 1;
                continue;
            }
            // Stand-alone markers carry no length.
            0x01 | 0xD0..=0xD8 => {
                i += 2;
                continue;
            }
            // Start of scan or end of image: metadata comes before these.
            0xDA | 0xD9 => return 1,
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([data[i + 2], data[i + 3]]));
        if len < 2 || i + 2 + len > data.len() {
            return 1;
        }
        let payload = &data[i + 4..i + 2 + len];
        if marker == 0xE1 {
            if let Some(tiff) = payload.strip_prefix(b"Exif\0\0") {
                if let Some(o) = tiff_orientation(tiff) {
                    return o;
                }
            }
        }
        i += 2 + len;
    }
    1
}

/// Orientation from an EXIF blob as found in PNG `eXIf` and WebP `EXIF` chunks: a TIFF
/// structure, sometimes (against the specs) preceded by "Exif\0\0".
pub(crate) fn exif_blob_orientation(blob: &[u8]) -> u8 {
    let tiff = blob.strip_prefix(b"Exif\0\0").unwrap_or(blob);
    tiff_orientation(tiff).unwrap_or(1)
}

/// Tag 0x0112 of IFD0 in a TIFF structure.
fn tiff_orientation(tiff: &[u8]) -> Option<u8> {
    let little = match tiff.get(0..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = tiff.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = tiff.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    if u16_at(2)? != 42 {
        return None;
    }
    let ifd0 = usize::try_from(u32_at(4)?).ok()?;
    let count = usize::from(u16_at(ifd0)?);
    for n in 0..count {
        let entry = ifd0 + 2 + n * 12;
        let tag = u16_at(entry)?;
        if tag != 0x0112 {
            continue;
        }
        // Type 3 is SHORT; the value sits in the first two bytes of the value field.
        if u16_at(entry + 2)? != 3 {
            return None;
        }
        let value = u16_at(entry + 8)?;
        return (1..=8).contains(&value).then_some(value as u8);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiff_with_orientation(little: bool, value: u16) -> Vec<u8> {
        let u16b = |v: u16| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let u32b = |v: u32| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let mut t = if little {
            b"II".to_vec()
        } else {
            b"MM".to_vec()
        };
        t.extend(u16b(42));
        t.extend(u32b(8));
        t.extend(u16b(1)); // one entry
        t.extend(u16b(0x0112));
        t.extend(u16b(3));
        t.extend(u32b(1));
        t.extend(u16b(value));
        t.extend([0, 0]);
        t.extend(u32b(0)); // no next IFD
        t
    }

    fn jpeg_with_app1(tiff: &[u8]) -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0];
        let len = (2 + 6 + tiff.len()) as u16;
        j.extend([0xFF, 0xE1]);
        j.extend(len.to_be_bytes());
        j.extend(b"Exif\0\0");
        j.extend(tiff);
        j.extend([0xFF, 0xDA, 0, 2]);
        j
    }

    #[test]
    fn reads_both_byte_orders() {
        for o in 1..=8 {
            assert_eq!(
                jpeg_orientation(&jpeg_with_app1(&tiff_with_orientation(true, o))),
                o as u8
            );
            assert_eq!(
                jpeg_orientation(&jpeg_with_app1(&tiff_with_orientation(false, o))),
                o as u8
            );
            assert_eq!(
                exif_blob_orientation(&tiff_with_orientation(true, o)),
                o as u8
            );
        }
    }

    #[test]
    fn malformed_metadata_means_upright() {
        assert_eq!(
            jpeg_orientation(&jpeg_with_app1(&tiff_with_orientation(true, 9))),
            1
        );
        let mut truncated = tiff_with_orientation(false, 6);
        truncated.truncate(14);
        assert_eq!(jpeg_orientation(&jpeg_with_app1(&truncated)), 1);
        // IFD offset far past the end.
        let mut bad_offset = tiff_with_orientation(true, 6);
        bad_offset[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(jpeg_orientation(&jpeg_with_app1(&bad_offset)), 1);
        // Segment length running past the end of the file.
        assert_eq!(
            jpeg_orientation(&[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0]),
            1
        );
        assert_eq!(jpeg_orientation(&[0xFF, 0xD8]), 1);
        assert_eq!(exif_blob_orientation(b""), 1);
    }
}
