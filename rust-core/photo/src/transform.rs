//! Resampling and EXIF orientation on packed RGB.

use crate::decode::RgbImage;
use crate::error::PhotoError;

/// Lanczos3 resampling (libvips' default too, so the outputs are comparable), separable:
/// the vertical pass first (its inner loop runs along a row, which the compiler
/// vectorises for whatever CPU it targets), then the horizontal pass on the fewer rows
/// left. Weights are 16-bit fixed point with 32-bit sums, as in libvips and Pillow.
///
/// Portable Rust rather than a crate with kernels per CPU extension (fast_image_resize:
/// SSE4.1 and AVX2 copies on x86_64, NEON on ARM, 0.45 MB of the phone's library): the
/// resize is a small part of a photo's time once libjpeg-turbo has decoded at a reduced
/// size (`tests/bench photo`).
pub(crate) fn resize(src: &RgbImage, width: u32, height: u32) -> Result<RgbImage, PhotoError> {
    let (sw, sh) = (src.width as usize, src.height as usize);
    let (dw, dh) = (width as usize, height as usize);
    // Sizes are checked before decoding; a mismatch here would be our bug, never a panic.
    if sw == 0 || sh == 0 || dw == 0 || dh == 0 || src.pixels.len() != 3 * sw * sh {
        return Err(PhotoError::corrupt(format!(
            "resize: {sw}x{sh} ({} bytes) to {dw}x{dh}",
            src.pixels.len()
        )));
    }
    let columns = if sh == dh {
        None
    } else {
        Some(vertical(&src.pixels, 3 * sw, &Kernel::new(sh, dh)))
    };
    let columns = columns.as_deref().unwrap_or(&src.pixels);
    let pixels = if sw == dw {
        columns.to_vec()
    } else {
        horizontal(columns, sw, dh, &Kernel::new(sw, dw))
    };
    Ok(RgbImage {
        width,
        height,
        pixels,
    })
}

/// The Lanczos3 weights along one axis, for every output position.
struct Kernel {
    /// Per output position: the first input position, and where its weights start and
    /// end in `weights`.
    spans: Vec<(usize, usize, usize)>,
    weights: Vec<i16>,
    /// Fixed-point fraction bits of `weights`.
    precision: u32,
}

impl Kernel {
    fn new(in_size: usize, out_size: usize) -> Kernel {
        let scale = in_size as f64 / out_size as f64;
        // Downscaling stretches the filter over `scale` input pixels (an antialiasing
        // low-pass); enlarging keeps it at 3 pixels.
        let filter_scale = scale.max(1.0);
        let radius = 3.0 * filter_scale;
        let mut spans = Vec::with_capacity(out_size);
        let mut float = Vec::with_capacity(out_size * (2 * radius.ceil() as usize + 1));
        for out in 0..out_size {
            let in_center = (out as f64 + 0.5) * scale;
            let first = (in_center - radius).floor().max(0.0) as usize;
            let end = ((in_center + radius).ceil().min(in_size as f64) as usize).max(first + 1);
            let start = float.len();
            float.extend(
                (first..end).map(|x| lanczos3((x as f64 + 0.5 - in_center) / filter_scale)),
            );
            let sum: f64 = float[start..].iter().sum();
            if sum != 0.0 {
                float[start..].iter_mut().for_each(|w| *w /= sum);
            }
            spans.push((first, start, float.len()));
        }
        // As many fraction bits as keep every weight within 16 bits (sums of 8-bit
        // samples times them then fit in 32 bits with room for the negative lobes).
        let largest = float.iter().fold(0.0f64, |m, w| m.max(w.abs()));
        let mut precision = 22;
        while precision > 8 && largest * f64::from(1u32 << precision) >= f64::from(i16::MAX) {
            precision -= 1;
        }
        let one = f64::from(1u32 << precision);
        let weights = float.iter().map(|w| (w * one).round() as i16).collect();
        Kernel {
            spans,
            weights,
            precision,
        }
    }

    fn round_and_clamp(&self, sum: i32) -> u8 {
        ((sum + (1 << (self.precision - 1))) >> self.precision).clamp(0, 255) as u8
    }
}

fn lanczos3(x: f64) -> f64 {
    fn sinc(x: f64) -> f64 {
        if x == 0.0 {
            1.0
        } else {
            let x = x * std::f64::consts::PI;
            x.sin() / x
        }
    }
    if (-3.0..3.0).contains(&x) {
        sinc(x) * sinc(x / 3.0)
    } else {
        0.0
    }
}

/// Resamples rows of `stride` bytes to `kernel.spans.len()` rows of the same width.
fn vertical(src: &[u8], stride: usize, kernel: &Kernel) -> Vec<u8> {
    let mut out = Vec::with_capacity(stride * kernel.spans.len());
    let mut sums = vec![0i32; stride];
    for &(first, start, end) in &kernel.spans {
        sums.fill(0);
        for (k, &w) in kernel.weights[start..end].iter().enumerate() {
            let row = &src[(first + k) * stride..(first + k + 1) * stride];
            for (sum, &v) in sums.iter_mut().zip(row) {
                *sum += i32::from(v) * i32::from(w);
            }
        }
        out.extend(sums.iter().map(|&sum| kernel.round_and_clamp(sum)));
    }
    out
}

/// Resamples each of `rows` rows of `width` RGB pixels to `kernel.spans.len()` pixels.
fn horizontal(src: &[u8], width: usize, rows: usize, kernel: &Kernel) -> Vec<u8> {
    let mut out = Vec::with_capacity(3 * kernel.spans.len() * rows);
    for row in src.chunks_exact(3 * width).take(rows) {
        for &(first, start, end) in &kernel.spans {
            let weights = &kernel.weights[start..end];
            let pixels = &row[3 * first..3 * (first + weights.len())];
            let (mut r, mut g, mut b) = (0i32, 0i32, 0i32);
            for (px, &w) in pixels.chunks_exact(3).zip(weights) {
                let w = i32::from(w);
                r += i32::from(px[0]) * w;
                g += i32::from(px[1]) * w;
                b += i32::from(px[2]) * w;
            }
            out.extend_from_slice(&[
                kernel.round_and_clamp(r),
                kernel.round_and_clamp(g),
                kernel.round_and_clamp(b),
            ]);
        }
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

    fn flat(width: u32, height: u32, rgb: [u8; 3]) -> RgbImage {
        RgbImage {
            width,
            height,
            pixels: rgb.repeat((width * height) as usize),
        }
    }

    #[test]
    fn resize_keeps_a_flat_colour_exactly() {
        for (from, to) in [
            ((64, 48), (20, 15)),
            ((1000, 10), (7, 3)),
            ((5, 5), (12, 9)),
        ] {
            let out = resize(&flat(from.0, from.1, [200, 17, 255]), to.0, to.1).unwrap();
            assert_eq!((out.width, out.height), to);
            assert_eq!(out.pixels, [200, 17, 255].repeat((to.0 * to.1) as usize));
        }
    }

    #[test]
    fn resize_averages_fine_detail_and_keeps_coarse_structure() {
        // Alternate black and white columns shrink to mid grey; a left/right split
        // stays dark on the left and light on the right.
        let (w, h) = (400u32, 30u32);
        let stripes = RgbImage {
            width: w,
            height: h,
            pixels: (0..w * h)
                .flat_map(|i| [if i % 2 == 0 { 0 } else { 255 }; 3])
                .collect(),
        };
        let out = resize(&stripes, 100, 10).unwrap();
        for row in out.pixels.chunks_exact(3 * 100) {
            // The clipped kernel at the edges sees a few more of one colour.
            assert!(row.iter().all(|&v| (100..=155).contains(&v)), "{row:?}");
            assert!(
                row[3..3 * 99].iter().all(|&v| (122..=133).contains(&v)),
                "{row:?}"
            );
        }
        let split = RgbImage {
            width: w,
            height: h,
            pixels: (0..w * h)
                .flat_map(|i| [if i % w < w / 2 { 10 } else { 240 }; 3])
                .collect(),
        };
        let out = resize(&split, 40, 3).unwrap();
        let row: Vec<u8> = out.pixels[..3 * 40].chunks_exact(3).map(|p| p[0]).collect();
        assert!(row[..15].iter().all(|&v| v == 10), "{row:?}");
        assert!(row[25..].iter().all(|&v| v == 240), "{row:?}");
        assert!(
            row.windows(2).all(|p| p[0] <= p[1] || p[0] - p[1] < 16),
            "{row:?}"
        );
    }

    #[test]
    fn resize_to_one_pixel_and_refuses_nonsense() {
        let out = resize(&flat(3, 2, [9, 8, 7]), 1, 1).unwrap();
        assert_eq!(out.pixels, [9, 8, 7]);
        assert!(resize(&flat(3, 2, [0; 3]), 0, 1).is_err());
        let mut short = flat(3, 2, [0; 3]);
        short.pixels.pop();
        assert!(resize(&short, 2, 1).is_err());
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
