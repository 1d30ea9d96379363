//! What the v2 and v3 clients share about HTTP: the base URL rule and ureq
//! agents with their trusted roots, client certificate and timeout.

use crate::ClientIdentity;
use std::time::Duration;
use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};

/// `url` without trailing slashes; it must start with `https://` or
/// `http://` (a local simulator).
pub(crate) fn base_url(url: &str) -> Result<String, String> {
    let base = url.trim_end_matches('/');
    if base.starts_with("https://") || base.starts_with("http://") {
        Ok(base.to_owned())
    } else {
        Err("base_url must start with https:// or http://".into())
    }
}

/// The certificates of a PEM file (at least one).
fn certificates(pem: &[u8], what: &str) -> Result<Vec<Certificate<'static>>, String> {
    let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(pem)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(c)) => Some(Ok(c)),
            Ok(_) => None,
            Err(e) => Some(Err(e.to_string())),
        })
        .collect::<Result<_, _>>()?;
    if certs.is_empty() {
        return Err(format!("no certificate in the {what} PEM"));
    }
    Ok(certs)
}

/// Idle connections an agent keeps, per host and overall. Calls run on
/// blocking threads, as many at once as the shop has orders in flight;
/// ureq's default (3 per host) closed most connections after one call, so
/// under load nearly every call paid for a new connection (and its 256 KiB
/// of fresh buffers).
const IDLE_CONNECTIONS: usize = 64;

/// An agent that hands every HTTP status back as a reply, gives up after
/// `timeout` per call, keeps up to [`IDLE_CONNECTIONS`] connections alive
/// for reuse, trusts `root_certs_pem` instead of the public roots when
/// given, and presents `identity` (mutual TLS) when given.
pub(crate) fn agent(
    timeout: Duration,
    root_certs_pem: Option<&[u8]>,
    identity: Option<&ClientIdentity>,
) -> Result<ureq::Agent, String> {
    let mut tls = TlsConfig::builder();
    if let Some(pem) = root_certs_pem {
        let roots = certificates(pem, "root certificates")?;
        tls = tls.root_certs(RootCerts::new_with_certs(&roots));
    }
    if let Some(id) = identity {
        use secrecy::ExposeSecret;
        let chain = certificates(&id.cert_pem, "client certificate")?;
        let key = PrivateKey::from_pem(id.key_pem.expose_secret().as_bytes())
            .map_err(|e| e.to_string())?;
        tls = tls.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
    }
    Ok(ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_idle_connections(IDLE_CONNECTIONS)
        .max_idle_connections_per_host(IDLE_CONNECTIONS)
        .tls_config(tls.build())
        .build()
        .new_agent())
}

/// An async HTTP client (reqwest) with the same rules as [`agent`]:
/// `timeout` per call, idle connections kept for reuse, `root_certs_pem`
/// instead of the public roots when given, `identity` presented when given;
/// and no redirects followed (WeChat's API does not redirect, and a signed
/// request must not be replayed elsewhere).
#[cfg(feature = "async")]
pub(crate) fn async_client(
    timeout: Duration,
    root_certs_pem: Option<&[u8]>,
    identity: Option<&ClientIdentity>,
) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .pool_max_idle_per_host(IDLE_CONNECTIONS)
        .redirect(reqwest::redirect::Policy::none());
    if let Some(pem) = root_certs_pem {
        certificates(pem, "root certificates")?;
        builder = builder.tls_built_in_root_certs(false);
        for cert in reqwest::Certificate::from_pem_bundle(pem).map_err(|e| e.to_string())? {
            builder = builder.add_root_certificate(cert);
        }
    }
    if let Some(id) = identity {
        use secrecy::ExposeSecret;
        certificates(&id.cert_pem, "client certificate")?;
        let mut pem = id.key_pem.expose_secret().as_bytes().to_vec();
        pem.push(b'\n');
        pem.extend_from_slice(&id.cert_pem);
        builder = builder.identity(reqwest::Identity::from_pem(&pem).map_err(|e| e.to_string())?);
    }
    builder.build().map_err(|e| e.to_string())
}

/// What an async exchange can fail with, before any reply is read.
#[cfg(feature = "async")]
pub(crate) enum AsyncFailure {
    Timeout,
    TooLarge,
    Transport(String),
}

/// The status, headers (lower-case names) and body (at most `limit`
/// bytes) of an async reply.
#[cfg(feature = "async")]
pub(crate) async fn read_reply(
    result: Result<reqwest::Response, reqwest::Error>,
    limit: u64,
) -> Result<(u16, std::collections::HashMap<String, String>, Vec<u8>), AsyncFailure> {
    let failure = |e: reqwest::Error| {
        if e.is_timeout() {
            AsyncFailure::Timeout
        } else {
            AsyncFailure::Transport(e.without_url().to_string())
        }
    };
    let mut res = result.map_err(failure)?;
    let status = res.status().as_u16();
    let headers = res
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_ascii_lowercase(), v.to_str().ok()?.to_owned())))
        .collect();
    if res.content_length().is_some_and(|n| n > limit) {
        return Err(AsyncFailure::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(failure)? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(AsyncFailure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, headers, body))
}
