//! The sans-IO core: each operation as a signed request plus the way its
//! verified reply is read, so any HTTP client (blocking or async) can
//! carry it.

use super::client::Client;
use super::error::Error;
use super::transport::HttpRequest;
use super::verifier::HttpReply;
use serde::de::DeserializeOwned;

/// One operation: the signed request to send, and how the reply is read
/// once verified ([`Client::finish`]).
pub struct Call<T> {
    pub(super) request: HttpRequest,
    pub(super) read: fn(&Client, HttpReply) -> Result<T, Error>,
}

impl<T> std::fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("method", &self.request.method)
            .field("url", &self.request.url)
            .finish_non_exhaustive()
    }
}

impl<T> Call<T> {
    /// The signed request to send.
    pub fn request(&self) -> &HttpRequest {
        &self.request
    }
}

/// Reads a verified JSON reply as `T`.
pub(super) fn json<T: DeserializeOwned>(_: &Client, reply: HttpReply) -> Result<T, Error> {
    serde_json::from_slice(&reply.body).map_err(|e| Error::BadReply(e.to_string()))
}

/// Reads a transaction and checks it is this client's merchant's.
pub(super) fn transaction(
    client: &Client,
    reply: HttpReply,
) -> Result<super::types::Transaction, Error> {
    client.ours(json(client, reply)?)
}

/// A reply with nothing to read but its success (204).
pub(super) fn nothing(_: &Client, _: HttpReply) -> Result<(), Error> {
    Ok(())
}
