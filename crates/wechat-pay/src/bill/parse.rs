//! The streaming parser: one line at a time, whatever the number of rows.

use super::columns::{Columns, SUMMARY_COLUMNS};
use super::row::BillRow;
use super::summary::BillSummary;
use super::{Bill, BillError, BillType};
use std::io::{BufRead, Read};

/// Longest line accepted.
const MAX_LINE_BYTES: u64 = 64 * 1024;

/// A streaming bill parser over any [`BufRead`]: memory stays one line
/// plus running totals, whatever the number of rows.
pub struct BillReader<R> {
    input: R,
    pub(super) bill_type: BillType,
    pub(super) columns: Columns,
    pub(super) line_no: usize,
    buf: Vec<u8>,
    /// Detail rows read so far.
    pub(super) rows: u64,
    /// What the rows read so far add up to.
    pub(super) totals: BillSummary,
    pub(super) summary: Option<BillSummary>,
    failed: bool,
}

impl<R: BufRead> BillReader<R> {
    /// Reads the header of a `bill_type` bill.
    pub fn new(input: R, bill_type: BillType) -> Result<BillReader<R>, BillError> {
        let mut reader = BillReader {
            input,
            bill_type,
            columns: Columns::default(),
            line_no: 0,
            buf: Vec::new(),
            rows: 0,
            totals: BillSummary::default(),
            summary: None,
            failed: false,
        };
        let header = reader.read_line()?.ok_or(BillError::Truncated)?;
        let header = header
            .strip_prefix('\u{feff}')
            .unwrap_or(&header)
            .to_owned();
        let names: Vec<&str> = header.split(',').collect();
        reader.columns = Columns::from_header(&names, bill_type)
            .map_err(|reason| BillError::Line { line: 1, reason })?;
        Ok(reader)
    }

    /// The summary, once every row has been read.
    pub fn summary(&self) -> Option<&BillSummary> {
        self.summary.as_ref()
    }

    /// An error about the current line.
    pub(super) fn line_err(&self, reason: impl Into<String>) -> BillError {
        BillError::Line {
            line: self.line_no,
            reason: reason.into(),
        }
    }

    /// The next line without its line ending; `None` at the end.
    pub(super) fn read_line(&mut self) -> Result<Option<String>, BillError> {
        self.buf.clear();
        let n = (&mut self.input)
            .take(MAX_LINE_BYTES)
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| BillError::Io(e.to_string()))?;
        if n == 0 {
            return Ok(None);
        }
        self.line_no += 1;
        if self.buf.last() != Some(&b'\n') && n as u64 == MAX_LINE_BYTES {
            return Err(self.line_err("line too long"));
        }
        while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
            self.buf.pop();
        }
        let text = std::str::from_utf8(&self.buf).map_err(|_| self.line_err("not UTF-8"))?;
        Ok(Some(text.to_owned()))
    }

    /// The next detail row; `Ok(None)` once the summary has been read and
    /// checked against the rows.
    pub fn next_row(&mut self) -> Result<Option<BillRow>, BillError> {
        if self.summary.is_some() || self.failed {
            return Ok(None);
        }
        let result = self.step();
        if result.is_err() {
            self.failed = true;
        }
        result
    }

    fn step(&mut self) -> Result<Option<BillRow>, BillError> {
        let Some(line) = self.read_line()? else {
            return Err(BillError::Truncated);
        };
        if line.starts_with('`') {
            let row = self.row(&line)?;
            self.add(&row)?;
            return Ok(Some(row));
        }
        if line.split(',').next().map(str::trim) == Some(SUMMARY_COLUMNS[0]) {
            self.read_summary(&line)?;
            return Ok(None);
        }
        if line.trim().is_empty() {
            return Err(self.line_err("blank line before the summary"));
        }
        Err(self.line_err("neither a detail row (starting with `) nor the summary header"))
    }
}

impl<R: BufRead> Iterator for BillReader<R> {
    type Item = Result<BillRow, BillError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_row().transpose()
    }
}

/// Parses a whole bill held in memory.
pub fn parse(data: &[u8], bill_type: BillType) -> Result<Bill, BillError> {
    let mut reader = BillReader::new(data, bill_type)?;
    let mut rows = Vec::new();
    while let Some(row) = reader.next_row()? {
        rows.push(row);
    }
    let summary = reader.summary.take().ok_or(BillError::Truncated)?;
    Ok(Bill {
        bill_type,
        rows,
        summary,
    })
}
