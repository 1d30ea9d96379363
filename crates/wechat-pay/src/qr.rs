//! `code_url` as a QR code image.
//!
//! The code comes from `fast_qr` (error correction level M, the lowest
//! version that fits), about a fifth of `qrcode`'s time for a code_url.
//! The image is a 1-bit greyscale PNG with the PNG crate's fast deflate:
//! bigger than its best compression (about 1.4 KB against 0.6 KB) but
//! encoded in a few microseconds instead of more than a millisecond, and a
//! shopper waits on it.

use crate::WechatPayError;
use base64::Engine;
use fast_qr::{ECL, QRBuilder};

/// Pixels per QR module.
const SCALE: usize = 6;
/// White border, in modules, that scanners need.
const QUIET_ZONE: usize = 4;

/// The QR code of `data` as a 1-bit greyscale PNG, `SCALE` pixels per
/// module with a `QUIET_ZONE` white border.
pub fn qr_png(data: &str) -> Result<Vec<u8>, WechatPayError> {
    let code = QRBuilder::new(data)
        .ecl(ECL::M)
        .build()
        .map_err(|_| WechatPayError::BadField("code_url"))?;
    let width = code.size;
    let side = (width + 2 * QUIET_ZONE) * SCALE;
    let row_bytes = side.div_ceil(8);
    // 1 bits are white; each module row is drawn once, then copied.
    let mut pixels = vec![0xffu8; row_bytes * side];
    for my in 0..width {
        let first = (my + QUIET_ZONE) * SCALE * row_bytes;
        for (mx, module) in code[my].iter().enumerate() {
            if module.value() {
                let x0 = (mx + QUIET_ZONE) * SCALE;
                for x in x0..x0 + SCALE {
                    pixels[first + x / 8] &= !(0x80u8 >> (x % 8));
                }
            }
        }
        for k in 1..SCALE {
            pixels.copy_within(first..first + row_bytes, first + k * row_bytes);
        }
    }
    let png_err = |e: png::EncodingError| WechatPayError::Transport(format!("png: {e}"));
    let side32 = u32::try_from(side).map_err(|_| WechatPayError::BadField("code_url"))?;
    let mut png_bytes = Vec::with_capacity(2048);
    let mut encoder = png::Encoder::new(&mut png_bytes, side32, side32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_compression(png::Compression::Fast);
    // Five of every six rows repeat the one above: "Up" turns them to zeros.
    encoder.set_filter(png::FilterType::Up);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::NonAdaptive);
    let mut writer = encoder.write_header().map_err(png_err)?;
    writer.write_image_data(&pixels).map_err(png_err)?;
    writer.finish().map_err(png_err)?;
    Ok(png_bytes)
}

/// The QR code of `data` as a `data:image/png;base64,...` URL.
pub fn qr_data_url(data: &str) -> Result<String, WechatPayError> {
    const PREFIX: &str = "data:image/png;base64,";
    let png = qr_png(data)?;
    let mut url = String::with_capacity(PREFIX.len() + png.len().div_ceil(3) * 4);
    url.push_str(PREFIX);
    base64::engine::general_purpose::STANDARD.encode_string(png, &mut url);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The image's pixels, 0 (black) or 255 (white), row by row.
    fn decode(png_bytes: &[u8]) -> (usize, Vec<u8>) {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap_or_else(|e| panic!("{e}"));
        let mut buf = vec![0; reader.output_buffer_size()];
        let frame = reader
            .next_frame(&mut buf)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(frame.width, frame.height);
        assert_eq!(frame.color_type, png::ColorType::Grayscale);
        assert_eq!(frame.bit_depth, png::BitDepth::Eight);
        buf.truncate(frame.buffer_size());
        (frame.width as usize, buf)
    }

    /// What a scanner reads from the image.
    fn scan(side: usize, pixels: &[u8]) -> Vec<String> {
        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| pixels[y * side + x]);
        image
            .detect_grids()
            .iter()
            .map(|grid| {
                grid.decode()
                    .map(|(_, text)| text)
                    .unwrap_or_else(|e| panic!("{e}"))
            })
            .collect()
    }

    /// Texts shaped like code_urls (several lengths, so several versions).
    fn samples() -> Vec<String> {
        let mut out = Vec::new();
        for i in 0..40u32 {
            let pr: String = format!("{:08x}", i.wrapping_mul(2_654_435_761))
                .chars()
                .take(7)
                .collect();
            out.push(format!("weixin://wxpay/bizpayurl?pr={pr}"));
            out.push(format!(
                "weixin://wxpay/bizpayurl?pr={pr}{}",
                "Ab9".repeat(i as usize % 30)
            ));
        }
        out.push("1234567890".into());
        out.push("HELLO WORLD 42".into());
        out
    }

    #[test]
    fn a_scanner_reads_the_code_url_back() {
        for text in samples() {
            let (side, pixels) = decode(&qr_png(&text).unwrap_or_else(|e| panic!("{e}")));
            assert_eq!(scan(side, &pixels), [text]);
        }
    }

    #[test]
    fn the_image_shows_the_modules_with_a_quiet_zone() {
        for text in samples().iter().step_by(7) {
            let code = QRBuilder::new(text.as_str())
                .ecl(ECL::M)
                .build()
                .unwrap_or_else(|e| panic!("{e}"));
            let w = code.size;
            let (side, pixels) = decode(&qr_png(text).unwrap_or_else(|e| panic!("{e}")));
            assert_eq!(side, (w + 2 * QUIET_ZONE) * SCALE);
            for y in 0..side {
                for x in 0..side {
                    let (mx, my) = (x / SCALE, y / SCALE);
                    let inside = (QUIET_ZONE..QUIET_ZONE + w).contains(&mx)
                        && (QUIET_ZONE..QUIET_ZONE + w).contains(&my);
                    let dark = inside && code[my - QUIET_ZONE][mx - QUIET_ZONE].value();
                    assert_eq!(
                        pixels[y * side + x],
                        if dark { 0 } else { 255 },
                        "{text} {x},{y}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_code_url_becomes_a_png_data_url() {
        let url = qr_data_url("weixin://wxpay/bizpayurl?pr=abcdefg").unwrap_or_default();
        let b64 = url
            .strip_prefix("data:image/png;base64,")
            .unwrap_or_default();
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap_or_default();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let (side, _) = decode(&png);
        // Version 3 (29 modules) for this length, plus the quiet zone.
        assert_eq!(side, (29 + 2 * QUIET_ZONE) * SCALE);
    }

    #[test]
    fn data_too_long_for_a_qr_code_is_an_error() {
        assert!(qr_png(&"x".repeat(5000)).is_err());
    }

    /// `cargo test --release -p wechat-pay qr_cost -- --ignored --nocapture`:
    /// the time of one order's QR code (PNG and base64).
    #[test]
    #[ignore]
    #[allow(clippy::print_stdout)]
    fn qr_cost() {
        let urls: Vec<String> = (0..64u32)
            .map(|i| format!("weixin://wxpay/bizpayurl?pr={:07x}", i * 7919 + 1_234_567))
            .collect();
        let n = if cfg!(debug_assertions) { 200 } else { 5000 };
        let start = std::time::Instant::now();
        let mut bytes = 0;
        for i in 0..n {
            bytes += qr_data_url(&urls[i % urls.len()]).map_or(0, |u| u.len());
        }
        let us = start.elapsed().as_secs_f64() * 1e6 / n as f64;
        println!("qr_data_url: {us:.1} µs per code, {} bytes", bytes / n);
    }
}
