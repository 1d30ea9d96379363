//! A bill far larger than memory streams through the reader.

use super::{SUCCESS_HEADER, SUMMARY_HEADER, row, trade};
use std::io::{BufReader, Read};
use wechat_pay::bill::{self, BillReader, BillType};

/// Generates a SUCCESS bill of `n` rows on the fly, never held whole.
struct Generated {
    n: usize,
    next: usize,
    pending: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.pending.len() {
            if self.done {
                return Ok(0);
            }
            self.pending.clear();
            self.pos = 0;
            if self.next == 0 {
                self.pending
                    .extend_from_slice(format!("\u{feff}{SUCCESS_HEADER}\r\n").as_bytes());
            }
            if self.next < self.n {
                let i = self.next;
                let (tx, no) = (format!("42{i:026}"), format!("LT{i:010}"));
                let trade = trade("2026-01-01 09:30:00", &tx, &no, "SUCCESS", "1.01");
                let r = row(&[&trade[..], &["乐淘", "", "0.01", "0.60%", "1.01", ""]].concat());
                self.pending.extend_from_slice(r.as_bytes());
                self.pending.extend_from_slice(b"\r\n");
                self.next += 1;
            } else {
                let n = self.n as i64;
                let s = format!(
                    "{SUMMARY_HEADER}\r\n{}\r\n",
                    row(&[
                        &n.to_string(),
                        &bill::format_yuan(101 * n),
                        "0.00",
                        "0.00",
                        &bill::format_yuan(n),
                        &bill::format_yuan(101 * n),
                        "0.00"
                    ])
                );
                self.pending.extend_from_slice(s.as_bytes());
                self.done = true;
            }
        }
        let k = out.len().min(self.pending.len() - self.pos);
        out[..k].copy_from_slice(&self.pending[self.pos..self.pos + k]);
        self.pos += k;
        Ok(k)
    }
}

#[test]
fn a_hundred_thousand_rows_stream_through() {
    let source = Generated {
        n: 100_000,
        next: 0,
        pending: Vec::new(),
        pos: 0,
        done: false,
    };
    let mut reader = BillReader::new(BufReader::new(source), BillType::Success).unwrap();
    let mut count = 0u64;
    let mut total = 0i64;
    for r in reader.by_ref() {
        let r = r.unwrap();
        count += 1;
        total += r.total;
    }
    assert_eq!(count, 100_000);
    assert_eq!(total, 10_100_000);
    assert_eq!(reader.summary().unwrap().count, 100_000);
}
