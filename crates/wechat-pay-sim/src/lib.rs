//! A local stand-in for WeChat Pay's merchant API (v2, XML), so the whole
//! Native payment flow runs on a laptop and in tests.
//!
//! It answers like WeChat: HTTP 200 with an XML body for every outcome,
//! whatever the request's content type. Request-level failures (bad XML,
//! bad signature) are `return_code=FAIL` with the error name in
//! `return_msg`, unsigned; business failures are signed replies with
//! `result_code=FAIL` and `err_code` (`LACK_PARAMS`, `OUT_TRADE_NO_USED`,
//! `ORDERPAID`, `ORDERCLOSED`, `ORDERNOTEXIST`, `SYSTEMERROR`, ...).
//!
//! A control API drives the payer's side: `POST /sim/pay
//! {"out_trade_no": ...}` pays an order and delivers the signed
//! notification to its `notify_url`, retrying on WeChat's schedule (scaled
//! by `retry_scale`) until the reply is SUCCESS. `GET /sim/orders` lists
//! orders, `GET /sim/deliveries` every notification attempt, and `POST
//! /sim/faults` switches fault injection on and off.
//!
//! Refunds are accepted over plain HTTP: the simulator does not check the
//! merchant's client certificate (the `wechat-pay` crate's tests do, against
//! a TLS server of their own).

mod api;
mod control;
mod notify;
mod state;

pub use state::{Delivery, Faults, SimOrder, SimRefund};

use actix_web::{App, HttpServer, web};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

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
}

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
        }
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
        let faults = config.faults.clone();
        Simulator {
            config: Arc::new(config),
            state: Arc::new(std::sync::Mutex::new(state::State::new(faults))),
        }
    }

    /// The actix services (merchant API and control API) for an App.
    pub fn configure(&self) -> impl FnOnce(&mut web::ServiceConfig) + Clone + use<> {
        let sim = self.clone();
        move |cfg: &mut web::ServiceConfig| {
            cfg.app_data(web::Data::new(sim))
                .app_data(web::PayloadConfig::new(wechat_pay::xml::MAX_XML_BYTES * 2))
                .configure(api::routes)
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
                    let server = HttpServer::new(move || App::new().configure(configure.clone()))
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
        let paid = state::pay(self, out_trade_no)?;
        notify::deliver_payment(self.clone(), paid.clone());
        Ok(paid.transaction_id.unwrap_or_default())
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
