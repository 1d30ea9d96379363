//! `code_url` as a QR code image.

use crate::WechatPayError;
use base64::Engine;
use qrcode::{Color, EcLevel, QrCode};

/// Pixels per QR module.
const SCALE: usize = 6;
/// White border, in modules, that scanners need.
const QUIET_ZONE: usize = 4;

/// The QR code of `data` as a grayscale PNG.
pub fn qr_png(data: &str) -> Result<Vec<u8>, WechatPayError> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|_| WechatPayError::BadField("code_url"))?;
    let width = code.width();
    let colors = code.to_colors();
    let side = (width + 2 * QUIET_ZONE) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color == Color::Dark {
            let (mx, my) = (i % width + QUIET_ZONE, i / width + QUIET_ZONE);
            for y in my * SCALE..(my + 1) * SCALE {
                pixels[y * side + mx * SCALE..y * side + (mx + 1) * SCALE].fill(0);
            }
        }
    }
    let mut png_bytes = Vec::new();
    let side32 = u32::try_from(side).map_err(|_| WechatPayError::BadField("code_url"))?;
    let mut encoder = png::Encoder::new(&mut png_bytes, side32, side32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Best);
    let mut writer = encoder
        .write_header()
        .map_err(|e| WechatPayError::Transport(format!("png: {e}")))?;
    writer
        .write_image_data(&pixels)
        .map_err(|e| WechatPayError::Transport(format!("png: {e}")))?;
    writer
        .finish()
        .map_err(|e| WechatPayError::Transport(format!("png: {e}")))?;
    Ok(png_bytes)
}

/// The QR code of `data` as a `data:image/png;base64,...` URL.
pub fn qr_data_url(data: &str) -> Result<String, WechatPayError> {
    let png = qr_png(data)?;
    Ok(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info();
        assert!(reader.is_ok());
        if let Ok(r) = reader {
            let info = r.info();
            assert_eq!(info.width, info.height);
            // Version 3 (29 modules) for this length, plus the quiet zone.
            assert_eq!(info.width as usize % SCALE, 0);
        }
    }

    #[test]
    fn data_too_long_for_a_qr_code_is_an_error() {
        assert!(qr_png(&"x".repeat(5000)).is_err());
    }
}
