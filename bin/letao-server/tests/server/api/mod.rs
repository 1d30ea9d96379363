//! The HTTP API, called in-process on the application the binary builds,
//! on every backend.

#[macro_use]
mod helpers;
mod accounts;
mod admin_catalogue;
mod adoption;
mod cart;
mod catalogue;
mod cors;
mod delivery;
mod errors;
mod exports;
mod faults;
mod health;
mod logs;
mod media;
mod openapi;
mod orders;
mod payments_v3;
mod phone_pay;
mod products;
mod reconcile;
mod search;
mod static_files;
