//! What a downloaded bill needs: the SHA1 that vouches for it, and gzip
//! with a limit on the decompressed size.

use sha1::{Digest, Sha1};
use std::io::Read;

/// Lower-case hex SHA1, as in the v3 `hash_value`.
pub fn sha1_hex(data: &[u8]) -> String {
    hex::encode(Sha1::digest(data))
}

/// Decompresses a gzip file of at most `limit` bytes once decompressed.
pub fn gunzip(data: &[u8], limit: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    if out.len() as u64 > limit {
        return Err(format!("larger than {limit} bytes once decompressed"));
    }
    Ok(out)
}

/// Compresses with gzip (for simulators serving `tar_type=GZIP`).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_round_trips_and_a_bomb_is_limited() {
        let data = "交易时间\r\n".repeat(1000);
        assert_eq!(
            gunzip(&gzip(data.as_bytes()), 1 << 20).unwrap(),
            data.as_bytes()
        );
        assert!(gunzip(&gzip(data.as_bytes()), 100).is_err());
        assert!(gunzip(b"not gzip", 100).is_err());
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }
}
