//! The shop's use cases on their own: no HTTP, a fake payment gateway that
//! plays WeChat, a fake SMS sender and a clock the tests move, over a real
//! database on every backend.

mod accounts;
mod catalogue;

mod orders;
mod support;
