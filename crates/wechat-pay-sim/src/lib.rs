//! A local stand-in for WeChat Pay's merchant API, v2 (XML) and v3 (JSON)
//! on one order book, so the whole payment flow — Native, JSAPI with
//! WeChat's OAuth stand-ins and a JS bridge, H5 with its cashier page —
//! runs on a laptop and in tests. See the README for the endpoints, flags
//! and control API.
//!
//! v2 answers like WeChat: HTTP 200 with an XML body for every outcome;
//! request-level failures are unsigned `return_code=FAIL`, business failures
//! signed `result_code=FAIL` with `err_code`. v3 verifies each request's
//! signature with the merchant public key (401 `SIGN_ERROR` otherwise),
//! signs every response with the platform key (WeChat Pay public key, or a
//! platform certificate in certificate mode) and reports errors as HTTP
//! status plus `{code, message}`.
//!
//! A control API drives the payer's side (`/sim/pay`), shows orders and
//! notification attempts, switches faults, moves the simulator's clock and
//! rotates platform certificates.

#![warn(missing_docs)]

mod api;
mod bills;
mod china_time;
mod control;
mod ids;
mod notify;
mod oauth;
mod orders;
mod phone;
mod state;

pub use oauth::openid_for;
pub use state::{Delivery, Faults, SimOrder, SimRefund};

use actix_web::dev::Service;
use actix_web::{App, HttpServer, web};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use wechat_pay::v3::{PrivateKey, PublicKey};

/// WeChat's notification retry schedule after the first attempt.
pub const RETRY_SCHEDULE_SECS: [u64; 15] = [
    15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
];

/// Simulator settings.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The only app id accepted.
    pub appid: String,
    /// The only merchant id accepted.
    pub mch_id: String,
    /// The API key requests are signed with.
    pub api_key: String,
    /// Multiplies every notification retry delay (0.001 turns 15 s into 15 ms).
    pub retry_scale: f64,
    /// How long a `code_url` can be paid (WeChat: 2 h).
    pub code_url_ttl: Duration,
    /// Faults switched on from the start.
    pub faults: Faults,
    /// API v3 settings; without them the v3 paths answer 404.
    pub v3: Option<V3Settings>,
    /// The official account whose buyers the OAuth stand-ins know; JSAPI
    /// orders may name it instead of `appid`. Defaults to `appid`.
    pub oa_appid: String,
    /// The official account's AppSecret the code exchange checks.
    pub oa_secret: String,
    /// The merchant's registered H5 domain: the cashier page requires a
    /// `Referer` (and `redirect_url`) on it or a subdomain. `None`: any
    /// `Referer` will do, but one is still required.
    pub h5_domain: Option<String>,
}

/// How the simulator plays WeChat's side of API v3.
#[derive(Debug, Clone)]
pub struct V3Settings {
    /// The 32-byte APIv3 key (notification resources, certificates).
    pub apiv3_key: String,
    /// Verifies merchant requests; without one every v3 request is
    /// answered 401 `SIGN_ERROR` until one is set (`POST
    /// /sim/v3/merchant-public-key`).
    pub merchant_public_key: Option<PublicKey>,
    /// When set, requests must name this merchant certificate serial.
    pub merchant_serial: Option<String>,
    /// Signs responses and notifications: the private half of the WeChat
    /// Pay public key, and the first platform certificate's key.
    pub platform_key: PrivateKey,
    /// `Wechatpay-Serial` in public-key mode.
    pub public_key_id: String,
    /// Sign with platform certificates served at `/v3/certificates`
    /// instead of the public key.
    pub platform_cert_mode: bool,
}

impl V3Settings {
    /// Public-key mode with this platform key and no merchant key yet.
    pub fn new(apiv3_key: &str, platform_key: PrivateKey) -> V3Settings {
        V3Settings {
            apiv3_key: apiv3_key.to_owned(),
            merchant_public_key: None,
            merchant_serial: None,
            platform_key,
            public_key_id: DEFAULT_PUBLIC_KEY_ID.to_owned(),
            platform_cert_mode: false,
        }
    }
}

/// The official account's AppSecret when none is configured.
pub const DEFAULT_OA_SECRET: &str = "letao-dev-oa-secret";

/// The public key id used when none is configured.
pub const DEFAULT_PUBLIC_KEY_ID: &str = "PUB_KEY_ID_0119000000002026010100000000000001";

impl SimConfig {
    /// Settings for a merchant, with WeChat's timings.
    pub fn new(appid: &str, mch_id: &str, api_key: &str) -> SimConfig {
        SimConfig {
            appid: appid.to_owned(),
            mch_id: mch_id.to_owned(),
            api_key: api_key.to_owned(),
            retry_scale: 1.0,
            code_url_ttl: Duration::from_secs(2 * 3600),
            faults: Faults::default(),
            v3: None,
            oa_appid: appid.to_owned(),
            oa_secret: DEFAULT_OA_SECRET.to_owned(),
            h5_domain: None,
        }
    }

    /// Whether pay requests may name `appid`: the merchant's or the
    /// official account's.
    pub(crate) fn accepts_appid(&self, appid: &str) -> bool {
        appid == self.appid || appid == self.oa_appid
    }

    pub(crate) fn retry_delays(&self) -> impl Iterator<Item = Duration> + '_ {
        RETRY_SCHEDULE_SECS
            .iter()
            .map(|s| Duration::from_secs_f64(*s as f64 * self.retry_scale.max(0.0)))
    }
}

/// The shared simulator state behind both APIs.
#[derive(Clone)]
pub struct Simulator {
    pub(crate) config: Arc<SimConfig>,
    pub(crate) state: Arc<std::sync::Mutex<state::State>>,
}

impl Simulator {
    /// A simulator with no orders.
    pub fn new(config: SimConfig) -> Simulator {
        let mut state = state::State::new(config.faults.clone());
        if let Some(v3) = &config.v3 {
            state.merchant_public_key = v3.merchant_public_key.clone();
            if v3.platform_cert_mode {
                match state::PlatformCert::new(v3.platform_key.clone()) {
                    Ok(cert) => state.platform_certs.push(cert),
                    Err(e) => tracing::error!(error = %e, "cannot make the platform certificate"),
                }
            }
        }
        Simulator {
            config: Arc::new(config),
            state: Arc::new(std::sync::Mutex::new(state)),
        }
    }

    /// Certificate mode: serves a new platform certificate for `key` (a
    /// new key when `None`) beside the old ones and signs with it from now
    /// on. Returns its serial.
    pub fn rotate_certificate(&self, key: Option<PrivateKey>) -> Result<String, String> {
        if !self
            .config
            .v3
            .as_ref()
            .is_some_and(|v| v.platform_cert_mode)
        {
            return Err("not in platform certificate mode".into());
        }
        let key = match key {
            Some(k) => k,
            None => PrivateKey::generate(2048).map_err(|e| e.to_string())?,
        };
        let cert = state::PlatformCert::new(key).map_err(|e| e.to_string())?;
        let serial = cert.serial.clone();
        let mut state = self.state.lock().map_err(|_| "state poisoned".to_owned())?;
        state.platform_certs.push(cert);
        state.signer = state.platform_certs.len() - 1;
        Ok(serial)
    }

    /// Serials of the platform certificates served (certificate mode).
    pub fn certificate_serials(&self) -> Vec<String> {
        self.state
            .lock()
            .map(|s| s.platform_certs.iter().map(|c| c.serial.clone()).collect())
            .unwrap_or_default()
    }

    /// Sets the merchant public key v3 requests are verified with.
    pub fn set_merchant_public_key(&self, key: PublicKey) {
        if let Ok(mut s) = self.state.lock() {
            s.merchant_public_key = Some(key);
        }
    }

    /// Moves the simulator's clock (payment and refund times, bills) to
    /// `now`, or back to real time with `None`. Signatures keep real time.
    pub fn set_clock(&self, now: Option<chrono::DateTime<chrono::Utc>>) {
        if let Ok(mut s) = self.state.lock() {
            s.clock_offset = now
                .map(|n| n - chrono::Utc::now())
                .unwrap_or_else(chrono::TimeDelta::zero);
        }
    }

    /// The simulator's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.state
            .lock()
            .map(|s| s.now())
            .unwrap_or_else(|_| chrono::Utc::now())
    }

    /// The bill of `date` (China time) as WeChat would serve it, or `None`
    /// when nothing happened that day.
    pub fn bill(&self, date: chrono::NaiveDate, bill_type: wechat_pay::BillType) -> Option<String> {
        let orders = self.orders();
        bills::build(&self.config, &orders, date, bill_type)
    }

    /// The actix services (merchant API and control API) for an App.
    pub fn configure(&self) -> impl FnOnce(&mut web::ServiceConfig) + Clone + use<> {
        let sim = self.clone();
        move |cfg: &mut web::ServiceConfig| {
            cfg.app_data(web::Data::new(sim))
                .app_data(web::PayloadConfig::new(wechat_pay::xml::MAX_XML_BYTES * 2))
                .configure(api::routes)
                .configure(oauth::routes)
                .configure(phone::routes)
                .configure(control::routes);
        }
    }

    /// Starts serving on `addr` (port 0 picks one) on a thread of its own,
    /// so it runs beside any async runtime. Stops when the handle drops.
    pub fn start(self, addr: &str) -> std::io::Result<RunningSim> {
        let listener = std::net::TcpListener::bind(addr)?;
        let local = listener.local_addr()?;
        let (tx, rx) = std::sync::mpsc::channel::<std::io::Result<actix_web::dev::ServerHandle>>();
        let sim = self.clone();
        let thread = std::thread::Builder::new()
            .name("wechat-pay-sim".into())
            .spawn(move || {
                let system = actix_web::rt::System::new();
                let result = system.block_on(async move {
                    let configure = sim.configure();
                    let server = HttpServer::new(move || {
                        // Every request logged once answered; the path
                        // without its query (bill download tokens).
                        App::new()
                            .wrap_fn(|req, service| {
                                let (method, path) = (req.method().clone(), req.path().to_owned());
                                let started = std::time::Instant::now();
                                let answer = service.call(req);
                                async move {
                                    let res = answer.await?;
                                    tracing::info!(
                                        %method,
                                        %path,
                                        status = res.status().as_u16(),
                                        elapsed_ms = started.elapsed().as_millis() as u64,
                                        "request"
                                    );
                                    Ok(res)
                                }
                            })
                            .configure(configure.clone())
                    })
                    .workers(1)
                    .disable_signals()
                    .shutdown_timeout(1)
                    .listen(listener)?
                    .run();
                    let _ = tx.send(Ok(server.handle()));
                    server.await
                });
                if let Err(e) = result {
                    tracing::error!(error = %e, "simulator stopped");
                }
            })?;
        let handle = rx
            .recv()
            .map_err(|_| std::io::Error::other("simulator thread ended early"))??;
        Ok(RunningSim {
            addr: local,
            handle: Some(handle),
            thread: Some(thread),
            sim: self,
        })
    }

    /// Pays an order as the payer would by scanning its code; the
    /// notification is then delivered in the background.
    pub fn pay(&self, out_trade_no: &str) -> Result<String, String> {
        let paid = orders::pay(self, out_trade_no)?;
        notify::deliver_payment(self.clone(), paid.clone());
        Ok(paid.transaction_id.unwrap_or_default())
    }

    /// The openid of `user` under `appid` (the merchant's or the official
    /// account's), as the OAuth stand-in gives it out; JSAPI orders for it
    /// are then accepted.
    pub fn openid(&self, appid: &str, user: &str) -> Result<String, String> {
        if !self.config.accepts_appid(appid) {
            return Err(format!("appid {appid} is not the simulator's"));
        }
        let mut state = self.state.lock().map_err(|_| "state poisoned".to_owned())?;
        Ok(state.register_buyer(appid, user))
    }

    /// Every order, in creation order.
    pub fn orders(&self) -> Vec<SimOrder> {
        self.state
            .lock()
            .map(|s| s.orders_in_order())
            .unwrap_or_default()
    }

    /// One order.
    pub fn order(&self, out_trade_no: &str) -> Option<SimOrder> {
        self.state.lock().ok()?.orders.get(out_trade_no).cloned()
    }

    /// Every notification attempt so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.state
            .lock()
            .map(|s| s.deliveries.clone())
            .unwrap_or_default()
    }

    /// Replaces the fault switches.
    pub fn set_faults(&self, faults: Faults) {
        if let Ok(mut s) = self.state.lock() {
            s.faults = faults;
        }
    }
}

/// A simulator serving on a port; stops when dropped.
pub struct RunningSim {
    /// Where it listens.
    pub addr: SocketAddr,
    handle: Option<actix_web::dev::ServerHandle>,
    thread: Option<std::thread::JoinHandle<()>>,
    sim: Simulator,
}

impl RunningSim {
    /// `http://ADDR`, the base URL to give a client.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The simulator's state and control methods.
    pub fn sim(&self) -> &Simulator {
        &self.sim
    }
}

impl std::ops::Deref for RunningSim {
    type Target = Simulator;
    fn deref(&self) -> &Simulator {
        &self.sim
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            // stop() returns a future; the server thread completes it.
            drop(handle.stop(false));
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
