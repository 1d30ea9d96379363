//! Refunds over mutual TLS, against a local TLS server that requires the
//! merchant's client certificate. Certificates are made per test run.

use crate::{APPID, KEY, MCH_ID, merchant, signed_xml};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, SanType};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig, ServerConnection, StreamOwned};
use secrecy::SecretString;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wechat_pay::testing::http::{read_request, serve, write_response};
use wechat_pay::{
    Client, ClientIdentity, Config, OrderRef, Refund, SignType, WechatPayApi, WechatPayError,
};

struct Ca {
    cert: rcgen::Certificate,
    key: KeyPair,
}

fn new_ca() -> Ca {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).unwrap();
    Ca { cert, key }
}

/// A certificate signed by `ca`; for 127.0.0.1 when `server`.
fn leaf(ca: &Ca, server: bool) -> (rcgen::Certificate, KeyPair) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    if server {
        params.subject_alt_names = vec![SanType::IpAddress("127.0.0.1".parse().unwrap())];
    }
    let cert = params.signed_by(&key, &ca.cert, &ca.key).unwrap();
    (cert, key)
}

struct TlsServer {
    addr: SocketAddr,
    /// How many requests arrived with a verified client certificate.
    served: Arc<Mutex<u32>>,
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn start_tls_server(ca: &Ca) -> TlsServer {
    let (cert, key) = leaf(ca, true);
    let mut roots = RootCertStore::empty();
    roots.add(ca.cert.der().clone()).unwrap();
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .unwrap();
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    let config = Arc::new(config);
    let served = Arc::new(Mutex::new(0));
    let count = served.clone();
    let addr = serve(move |tcp| {
        tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let conn = ServerConnection::new(config.clone()).unwrap();
        let mut tls = StreamOwned::new(conn, tcp);
        // Nothing arrives when the handshake is refused (no client certificate).
        let Some(request) = read_request(&mut tls).filter(|r| !r.body.is_empty()) else {
            return;
        };
        assert!(tls.conn.peer_certificates().is_some_and(|c| !c.is_empty()));
        let req = wechat_pay::xml::parse(&request.body).unwrap();
        assert!(wechat_pay::verify(&req, KEY, SignType::Md5));
        *count.lock().unwrap() += 1;
        let reply = signed_xml(
            &[
                ("return_code", "SUCCESS"),
                ("appid", APPID),
                ("mch_id", MCH_ID),
                ("nonce_str", "n"),
                ("result_code", "SUCCESS"),
                ("out_trade_no", &req["out_trade_no"]),
                ("out_refund_no", &req["out_refund_no"]),
                ("refund_id", "50000000382019052709732678859"),
                ("refund_fee", &req["refund_fee"]),
                ("total_fee", &req["total_fee"]),
            ],
            KEY,
            SignType::Md5,
        );
        write_response(
            &mut tls,
            200,
            &[("Content-Type", "text/xml")],
            reply.as_bytes(),
        );
        tls.conn.send_close_notify();
        let _ = tls.flush();
    });
    TlsServer { addr, served }
}

fn client(
    server: &TlsServer,
    ca: &Ca,
    identity: Option<(&rcgen::Certificate, &KeyPair)>,
) -> Client {
    Client::new(Config {
        merchant: merchant(SignType::Md5),
        base_url: format!("https://{}", server.addr),
        timeout: Duration::from_secs(5),
        client_identity: identity.map(|(c, k)| ClientIdentity {
            cert_pem: c.pem().into_bytes(),
            key_pem: SecretString::from(k.serialize_pem()),
        }),
        root_certs_pem: Some(ca.cert.pem().into_bytes()),
    })
    .unwrap()
}

fn refund() -> Refund {
    Refund {
        order: OrderRef::OutTradeNo("LT20260101".into()),
        out_refund_no: "RF20260101".into(),
        total_fee: 100,
        refund_fee: 40,
        refund_desc: Some("尺码不合适".into()),
        notify_url: None,
    }
}

#[test]
fn a_refund_presents_the_merchant_certificate() {
    let ca = new_ca();
    let server = start_tls_server(&ca);
    let (cert, key) = leaf(&ca, false);
    let r = client(&server, &ca, Some((&cert, &key)))
        .refund(&refund())
        .unwrap();
    assert_eq!(r.out_refund_no, "RF20260101");
    assert_eq!(r.refund_fee, 40);
    assert_eq!(*server.served.lock().unwrap(), 1);
}

#[test]
fn a_certificate_from_another_authority_is_refused_by_the_server() {
    let ca = new_ca();
    let server = start_tls_server(&ca);
    let stranger = new_ca();
    let (cert, key) = leaf(&stranger, false);
    let err = client(&server, &ca, Some((&cert, &key)))
        .refund(&refund())
        .unwrap_err();
    assert!(matches!(err, WechatPayError::Transport(_)), "{err:?}");
    assert_eq!(*server.served.lock().unwrap(), 0);
}

#[test]
fn without_a_certificate_the_handshake_fails_for_other_calls_too() {
    let ca = new_ca();
    let server = start_tls_server(&ca);
    // order_query uses the agent without a client certificate.
    let err = client(&server, &ca, None)
        .order_query(&OrderRef::OutTradeNo("LT1".into()))
        .unwrap_err();
    assert!(matches!(err, WechatPayError::Transport(_)), "{err:?}");
    assert_eq!(*server.served.lock().unwrap(), 0);
}

#[test]
fn unusable_certificates_are_configuration_errors() {
    let err = Client::new(Config {
        merchant: merchant(SignType::Md5),
        base_url: "https://127.0.0.1:1".into(),
        timeout: Duration::from_secs(1),
        client_identity: Some(ClientIdentity {
            cert_pem: b"not a pem".to_vec(),
            key_pem: SecretString::from("nope"),
        }),
        root_certs_pem: None,
    })
    .unwrap_err();
    assert!(matches!(err, WechatPayError::Config(_)), "{err:?}");
}
