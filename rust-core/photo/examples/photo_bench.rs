//! Helper for tests/bench-photo/run.sh.
//!
//! photo_bench process OUT_DIR INPUT...    process each input once (what the app does per
//!                                         photo), print "<ms> <w>x<h> <bytes> <input>"
//! photo_bench psnr A.jpg B.jpg            PSNR in dB of two same-sized JPEGs (RGB)

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use chibo_photo::{process_photo, PhotoSettings};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("process") if args.len() >= 3 => process(&args[1], &args[2..]),
        Some("psnr") if args.len() == 3 => psnr(&args[1], &args[2]),
        _ => Err("usage: photo_bench process OUT_DIR INPUT... | psnr A.jpg B.jpg".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("photo_bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn process(out_dir: &str, inputs: &[String]) -> Result<(), String> {
    let settings = PhotoSettings::default();
    for input in inputs {
        let start = Instant::now();
        let photo = process_photo(Path::new(input), Path::new(out_dir), &settings)
            .map_err(|e| format!("{input}: {e}"))?;
        println!(
            "{:.1} {}x{} {} {input}",
            start.elapsed().as_secs_f64() * 1000.0,
            photo.width,
            photo.height,
            photo.byte_size
        );
    }
    Ok(())
}

fn decode(path: &str) -> Result<turbojpeg::Image<Vec<u8>>, String> {
    let data = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    turbojpeg::decompress(&data, turbojpeg::PixelFormat::RGB).map_err(|e| format!("{path}: {e}"))
}

fn psnr(a: &str, b: &str) -> Result<(), String> {
    let (a, b) = (decode(a)?, decode(b)?);
    if (a.width, a.height) != (b.width, b.height) {
        return Err(format!(
            "sizes differ: {}x{} vs {}x{}",
            a.width, a.height, b.width, b.height
        ));
    }
    let sum: f64 = a
        .pixels
        .iter()
        .zip(&b.pixels)
        .map(|(&x, &y)| {
            let d = f64::from(x) - f64::from(y);
            d * d
        })
        .sum();
    let mse = sum / a.pixels.len() as f64;
    let db = if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0 * 255.0 / mse).log10()
    };
    println!("{db:.2}");
    Ok(())
}
