//! Resampling and EXIF orientation on packed RGB.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use crate::decode::RgbImage;
use crate::error::PhotoError;

/// Lanczos3 resampling (libvips' default too, so the outputs are comparable).
///
/// The resizer is built with only its 4-channel code (`only_u8x4`): the one pixel type
/// compiled in, instead of every type and SIMD variant (about 5 MB of the phone's
/// library). RGB goes through it as RGBX; the fourth byte is ignored (no alpha maths).
pub(crate) fn resize(
    resizer: &mut Resizer,
    src: &RgbImage,
    width: u32,
    height: u32,
) -> Result<RgbImage, PhotoError> {
    // Errors here would be our bug (sizes are checked), but never panic for them.
    let bug = |e: &dyn std::fmt::Display| PhotoError::corrupt(format!("resize: {e}"));
    let rgbx = to_rgbx(&src.pixels);
    let src_view =
        ImageRef::new(src.width, src.height, &rgbx, PixelType::U8x4).map_err(|e| bug(&e))?;
    let mut dst = Image::new(width, height, PixelType::U8x4);
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
        .use_alpha(false);
    resizer
        .resize(&src_view, &mut dst, &options)
        .map_err(|e| bug(&e))?;
    drop(rgbx);
    Ok(RgbImage {
        width,
        height,
        pixels: from_rgbx(&dst.into_vec()),
    })
}

fn to_rgbx(rgb: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rgb.len() / 3 * 4);
    for px in rgb.chunks_exact(3) {
        out.extend_from_slice(&[px[0], px[1], px[2], 255]);
    }
    out
}

fn from_rgbx(rgbx: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rgbx.len() / 4 * 3);
    for px in rgbx.chunks_exact(4) {
        out.extend_from_slice(&px[..3]);
    }
    out
}

/// Applies EXIF orientation `orientation` (1–8), giving the picture as it should be seen.
pub(crate) fn orient(src: RgbImage, orientation: u8) -> RgbImage {
    let (w, h) = (src.width as usize, src.height as usize);
    if orientation <= 1 || orientation > 8 {
        return src;
    }
    let transposed = orientation >= 5;
    let (dw, dh) = if transposed { (h, w) } else { (w, h) };
    // For each displayed pixel (x, y), the stored pixel it shows:
    // 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 clockwise, 7 transverse,
    // 8 rotate 90 counter-clockwise.
    let source = |x: usize, y: usize| -> (usize, usize) {
        match orientation {
            2 => (w - 1 - x, y),
            3 => (w - 1 - x, h - 1 - y),
            4 => (x, h - 1 - y),
            5 => (y, x),
            6 => (y, h - 1 - x),
            7 => (w - 1 - y, h - 1 - x),
            _ => (w - 1 - y, x),
        }
    };
    let mut out = vec![0u8; src.pixels.len()];
    // Tiles keep the column-wise reads of the rotations within the cache.
    const TILE: usize = 64;
    for ty in (0..dh).step_by(TILE) {
        for tx in (0..dw).step_by(TILE) {
            for y in ty..(ty + TILE).min(dh) {
                let row = &mut out[3 * y * dw..3 * (y + 1) * dw];
                for x in tx..(tx + TILE).min(dw) {
                    let (sx, sy) = source(x, y);
                    let s = 3 * (sy * w + sx);
                    row[3 * x..3 * x + 3].copy_from_slice(&src.pixels[s..s + 3]);
                }
            }
        }
    }
    RgbImage {
        width: dw as u32,
        height: dh as u32,
        pixels: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3×2 image whose pixel values are their index: 0 1 2 / 3 4 5.
    fn sample() -> RgbImage {
        RgbImage {
            width: 3,
            height: 2,
            pixels: (0..6u8).flat_map(|v| [v, v, v]).collect(),
        }
    }

    fn values(img: &RgbImage) -> Vec<u8> {
        img.pixels.chunks_exact(3).map(|p| p[0]).collect()
    }

    #[test]
    fn orientations_match_the_exif_definition() {
        let cases: [(u8, (u32, u32), [u8; 6]); 8] = [
            (1, (3, 2), [0, 1, 2, 3, 4, 5]),
            (2, (3, 2), [2, 1, 0, 5, 4, 3]),
            (3, (3, 2), [5, 4, 3, 2, 1, 0]),
            (4, (3, 2), [3, 4, 5, 0, 1, 2]),
            (5, (2, 3), [0, 3, 1, 4, 2, 5]),
            // Stored with the top on the left side: rotate clockwise to show.
            (6, (2, 3), [3, 0, 4, 1, 5, 2]),
            (7, (2, 3), [5, 2, 4, 1, 3, 0]),
            (8, (2, 3), [2, 5, 1, 4, 0, 3]),
        ];
        for (o, dims, expected) in cases {
            let out = orient(sample(), o);
            assert_eq!((out.width, out.height), dims, "orientation {o}");
            assert_eq!(values(&out), expected, "orientation {o}");
        }
    }
}
