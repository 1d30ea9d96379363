#![doc = include_str!("../README.md")]

mod local;
mod s3;

pub use local::LocalMedia;
pub use s3::{S3Config, S3ConfigError, S3Media};
