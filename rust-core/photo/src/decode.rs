//! Decoding to 8-bit RGB, at the smallest size that still covers the wanted one.
//!
//! Every decoder reads the header first and the pixel limit is checked before any pixel
//! buffer exists, so a hostile or absurd image costs a few bytes of parsing, not gigabytes.

use std::io::Cursor;

use turbojpeg::{Colorspace, Decompressor, PixelFormat, ScalingFactor};

use crate::error::PhotoError;
use crate::exif;
use crate::PhotoSettings;

/// Packed 8-bit RGB, rows top to bottom, no padding.
pub(crate) struct RgbImage {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

/// A decoded picture as stored in the file (orientation not yet applied).
pub(crate) struct Decoded {
    pub image: RgbImage,
    /// Size of the full picture in the file, before any decode-time reduction.
    pub full_width: u32,
    pub full_height: u32,
    /// EXIF orientation 1–8.
    pub orientation: u8,
}

impl Decoded {
    /// A picture decoded at the size it has in the file (PNG, WebP: no shrink-on-load).
    fn full_size(width: u32, height: u32, pixels: Vec<u8>, orientation: u8) -> Self {
        Decoded {
            image: RgbImage {
                width,
                height,
                pixels,
            },
            full_width: width,
            full_height: height,
            orientation,
        }
    }
}

fn check_pixels(width: u32, height: u32, settings: &PhotoSettings) -> Result<(), PhotoError> {
    if width == 0 || height == 0 {
        return Err(PhotoError::corrupt(format!(
            "image has no pixels ({width}×{height})"
        )));
    }
    if u64::from(width) * u64::from(height) > settings.max_pixels {
        return Err(PhotoError::TooLarge {
            width,
            height,
            max_pixels: settings.max_pixels,
        });
    }
    Ok(())
}

/// Fits `width`×`height` into a `long_edge` square, keeping the aspect ratio and never
/// enlarging.
pub(crate) fn fit(width: u32, height: u32, long_edge: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= long_edge {
        return (width, height);
    }
    let scale = |d: u32| -> u32 {
        let v = (u64::from(d) * u64::from(long_edge) + u64::from(long) / 2) / u64::from(long);
        (v as u32).max(1)
    };
    (scale(width), scale(height))
}

pub(crate) fn decode_jpeg(data: &[u8], settings: &PhotoSettings) -> Result<Decoded, PhotoError> {
    let tj = |e: turbojpeg::Error| PhotoError::corrupt(e.to_string());
    let mut decompressor = Decompressor::new().map_err(tj)?;
    let header = decompressor.read_header(data).map_err(tj)?;
    let (full_width, full_height) = (
        u32::try_from(header.width).map_err(|_| PhotoError::corrupt("width overflow"))?,
        u32::try_from(header.height).map_err(|_| PhotoError::corrupt("height overflow"))?,
    );
    check_pixels(full_width, full_height, settings)?;
    if matches!(header.colorspace, Colorspace::CMYK | Colorspace::YCCK) {
        // libjpeg-turbo cannot convert these to RGB; phones never write them.
        return Err(PhotoError::UnsupportedFormat {
            format: "JPEG CMYK".to_owned(),
        });
    }

    // Pick the strongest DCT-domain reduction (1/8, 1/4, 1/2) that still leaves at least the
    // wanted size, like libjpeg's and libvips' shrink-on-load: the IDCT then produces fewer
    // pixels, which is most of the decode time and all of its memory.
    let (want_w, want_h) = fit(full_width, full_height, settings.max_long_edge);
    let scaling = if header.is_lossless {
        ScalingFactor::ONE
    } else {
        [8, 4, 2]
            .into_iter()
            .map(|denom| ScalingFactor::new(1, denom))
            .find(|f| {
                f.scale(header.width) >= want_w as usize
                    && f.scale(header.height) >= want_h as usize
            })
            .unwrap_or(ScalingFactor::ONE)
    };
    decompressor.set_scaling_factor(scaling).map_err(tj)?;
    // A crafted progressive JPEG with thousands of tiny scans costs minutes of CPU; real
    // encoders write about ten.
    decompressor.set_scan_limit(500).map_err(tj)?;
    let scaled = header.scaled(scaling);

    let mut pixels = vec![0u8; 3 * scaled.width * scaled.height];
    let image = turbojpeg::Image {
        pixels: pixels.as_mut_slice(),
        width: scaled.width,
        pitch: 3 * scaled.width,
        height: scaled.height,
        format: PixelFormat::RGB,
    };
    // Damaged or truncated data ends here as an error (TurboJPEG reports libjpeg's
    // "premature end of data" warnings as failures): we refuse rather than store a photo
    // with a grey or smeared lower part that the secretary never saw.
    decompressor.decompress(data, image).map_err(tj)?;

    Ok(Decoded {
        image: RgbImage {
            width: scaled.width as u32,
            height: scaled.height as u32,
            pixels,
        },
        full_width,
        full_height,
        orientation: exif::jpeg_orientation(data),
    })
}

pub(crate) fn decode_png(data: &[u8], settings: &PhotoSettings) -> Result<Decoded, PhotoError> {
    let png_err = |e: png::DecodingError| PhotoError::corrupt(e.to_string());
    let mut decoder = png::Decoder::new(Cursor::new(data));
    // Palette and low bit depths to 8-bit, 16-bit to 8-bit.
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    // read_info stops at the first image data chunk: dimensions, no pixels yet.
    let mut reader = decoder.read_info().map_err(png_err)?;
    let (width, height, orientation) = {
        let info = reader.info();
        let orientation = info
            .exif_metadata
            .as_deref()
            .map_or(1, exif::exif_blob_orientation);
        (info.width, info.height, orientation)
    };
    check_pixels(width, height, settings)?;

    let (color, depth) = reader.output_color_type();
    if depth != png::BitDepth::Eight {
        return Err(PhotoError::corrupt(format!(
            "unexpected PNG depth {depth:?}"
        )));
    }
    let channels = color.samples();
    let mut pixels = vec![0u8; 3 * width as usize * height as usize];
    let mut row_start = 0;
    // Row by row, straight into RGB: no second full-size buffer for the PNG's own layout.
    // (Interlaced PNGs arrive in passes; png's `next_frame` would be needed for those.)
    if reader.info().interlaced {
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| PhotoError::corrupt("PNG too large"))?;
        let mut buf = vec![0u8; size];
        let out = reader.next_frame(&mut buf).map_err(png_err)?;
        for row in buf.chunks_exact(out.line_size).take(height as usize) {
            to_rgb(
                row,
                channels,
                &mut pixels[row_start..row_start + 3 * width as usize],
            );
            row_start += 3 * width as usize;
        }
    } else {
        while let Some(row) = reader.next_row().map_err(png_err)? {
            if row_start >= pixels.len() {
                break;
            }
            let out = &mut pixels[row_start..row_start + 3 * width as usize];
            to_rgb(row.data(), channels, out);
            row_start += 3 * width as usize;
        }
    }
    if row_start < pixels.len() {
        return Err(PhotoError::corrupt("PNG data ends early"));
    }
    Ok(Decoded::full_size(width, height, pixels, orientation))
}

#[cfg(feature = "webp")]
pub(crate) fn decode_webp(data: &[u8], settings: &PhotoSettings) -> Result<Decoded, PhotoError> {
    let webp_err = |e: image_webp::DecodingError| PhotoError::corrupt(e.to_string());
    let mut decoder = image_webp::WebPDecoder::new(Cursor::new(data)).map_err(webp_err)?;
    let (width, height) = decoder.dimensions();
    check_pixels(width, height, settings)?;
    let orientation = decoder
        .exif_metadata()
        .ok()
        .flatten()
        .map_or(1, |blob| exif::exif_blob_orientation(&blob));
    let channels = if decoder.has_alpha() { 4 } else { 3 };
    let size = decoder
        .output_buffer_size()
        .ok_or_else(|| PhotoError::corrupt("WebP too large"))?;
    let mut buf = vec![0u8; size];
    decoder.read_image(&mut buf).map_err(webp_err)?;
    let pixels = if channels == 3 {
        buf
    } else {
        let mut rgb = vec![0u8; 3 * width as usize * height as usize];
        to_rgb(&buf, 4, &mut rgb);
        rgb
    };
    Ok(Decoded::full_size(width, height, pixels, orientation))
}

/// Converts a row of grey, grey+alpha, RGB or RGBA to RGB, laying transparency over white
/// (how a gallery shows it on a light background).
fn to_rgb(src: &[u8], channels: usize, dst: &mut [u8]) {
    let over_white = |c: u8, a: u8| -> u8 {
        let (c, a) = (u32::from(c), u32::from(a));
        ((c * a + 255 * (255 - a) + 127) / 255) as u8
    };
    match channels {
        1 => {
            for (d, &g) in dst.chunks_exact_mut(3).zip(src) {
                d.fill(g);
            }
        }
        2 => {
            for (d, s) in dst.chunks_exact_mut(3).zip(src.chunks_exact(2)) {
                d.fill(over_white(s[0], s[1]));
            }
        }
        3 => {
            let n = dst.len().min(src.len());
            dst[..n].copy_from_slice(&src[..n]);
        }
        _ => {
            for (d, s) in dst.chunks_exact_mut(3).zip(src.chunks_exact(4)) {
                d[0] = over_white(s[0], s[3]);
                d[1] = over_white(s[1], s[3]);
                d[2] = over_white(s[2], s[3]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_never_enlarges_and_keeps_aspect() {
        assert_eq!(fit(640, 480, 1600), (640, 480));
        assert_eq!(fit(3264, 2448, 1600), (1600, 1200));
        assert_eq!(fit(2448, 3264, 1600), (1200, 1600));
        assert_eq!(fit(4608, 1976, 1600), (1600, 686));
        assert_eq!(fit(10000, 1, 1600), (1600, 1));
    }

    #[test]
    fn transparency_is_laid_over_white() {
        let mut out = [0u8; 6];
        to_rgb(&[0, 0, 0, 0, 10, 20, 30, 255], 4, &mut out);
        assert_eq!(out, [255, 255, 255, 10, 20, 30]);
        to_rgb(&[0, 0, 7, 255], 2, &mut out);
        assert_eq!(out, [255, 255, 255, 7, 7, 7]);
    }
}
