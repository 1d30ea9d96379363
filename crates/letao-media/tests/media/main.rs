//! Both media stores against the one contract of letao-shop's
//! `MediaStore` (the fake passes it too), plus what is particular to each:
//! the local folder's files, the S3 store's replies, refusals and timeouts.
//!
//! The S3 tests that need a server read `TEST_S3_ENDPOINT`, `TEST_S3_BUCKET`,
//! `TEST_S3_REGION`, `TEST_S3_ACCESS_KEY_ID` and `TEST_S3_SECRET_ACCESS_KEY`
//! and are `#[ignore]`d, as the MySQL and PostgreSQL tests are: `bash
//! .ci/run` starts a local S3 server and runs them (`--run-ignored all`),
//! and they fail when the variables are missing.

// Tests fail loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod local;
mod s3;
mod s3_replies;
