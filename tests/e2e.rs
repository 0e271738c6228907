//! The broker lifecycle and a tiny end-to-end run against a real RabbitMQ (installed by
//! scripts/deps.sh, which .ci/run calls first). A machine without the broker fails these
//! tests unless SEALBENCH_SKIP_BROKER_TESTS=1 says to skip them.
#![cfg(all(target_os = "linux", feature = "e2e"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use sealbench::system::load::{Link, tls_config};
use sealbench::system::{
    self, Broker, BrokerOptions, CellPlan, Pattern, Plan, Protection, SizeDistribution, Transport,
};

fn server() -> Option<std::path::PathBuf> {
    let p = Path::new(system::broker::DEFAULT_SERVER);
    if p.exists() {
        return Some(p.to_path_buf());
    }
    if std::env::var("SEALBENCH_SKIP_BROKER_TESTS").as_deref() == Ok("1") {
        eprintln!(
            "SKIPPED: {} not installed (SEALBENCH_SKIP_BROKER_TESTS=1)",
            p.display()
        );
        return None;
    }
    panic!(
        "{} not installed: run scripts/deps.sh, or set SEALBENCH_SKIP_BROKER_TESTS=1",
        p.display()
    );
}

fn options(server: std::path::PathBuf, tag: &str) -> BrokerOptions {
    BrokerOptions {
        server,
        dir: std::env::temp_dir().join(format!("sealbench-test-{tag}-{}", std::process::id())),
        keep_dir: false,
        start_timeout: Duration::from_secs(90),
    }
}

/// Listening sockets on `port` from /proc/net/tcp{,6}: their local addresses (hex).
fn listeners(port: u16) -> Vec<String> {
    let mut out = Vec::new();
    for f in ["/proc/net/tcp", "/proc/net/tcp6"] {
        for line in std::fs::read_to_string(f)
            .unwrap_or_default()
            .lines()
            .skip(1)
        {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state)) = (cols.get(1), cols.get(3)) else {
                continue;
            };
            if *state == "0A" && local.ends_with(&format!(":{port:04X}")) {
                out.push(local.to_string());
            }
        }
    }
    out
}

#[test]
fn broker_listens_on_loopback_requires_client_certificates_and_stops() {
    let Some(server) = server() else { return };
    let opts = options(server, "lifecycle");
    let broker = Broker::start(&opts).unwrap();
    let ports = broker.ports();
    let pid = broker.pid();
    assert!(Path::new(&format!("/proc/{pid}")).exists());
    for port in [ports.amqp, ports.amqps, ports.dist, ports.epmd] {
        let l = listeners(port);
        assert!(!l.is_empty(), "nothing listens on {port}");
        // 127.0.0.1, or ::1 (epmd also binds the IPv6 loopback).
        let loopback = |a: &String| {
            a.starts_with("0100007F:") || a.starts_with("00000000000000000000000001000000:")
        };
        assert!(
            l.iter().all(loopback),
            "port {port} not loopback-only: {l:?}"
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let pki = broker.pki().clone();
    let (amqp, amqps) = (broker.amqp_uri(), broker.amqps_uri());
    rt.block_on(async {
        Link::open(&amqp, None)
            .await
            .expect("plain AMQP")
            .close()
            .await;
        let tls = tls_config(&pki.ca_cert, &pki.client_cert, &pki.client_key).unwrap();
        Link::open(&amqps, Some(&tls))
            .await
            .expect("mutual TLS")
            .close()
            .await;
        // The same CA trusted, but no client certificate: the broker refuses.
        let anonymous = lapin::tcp::OwnedTLSConfig {
            identity: None,
            ..tls.clone()
        };
        let refused = tokio::time::timeout(
            Duration::from_secs(20),
            Link::open(&amqps, Some(&anonymous)),
        )
        .await;
        assert!(
            !matches!(refused, Ok(Ok(_))),
            "a client without a certificate got in"
        );
    });
    drop(rt);
    broker.stop().unwrap();
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists()
            || std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .unwrap_or_default()
                .contains(") Z")
    );
    let addr = SocketAddr::from(([127, 0, 0, 1], ports.amqp));
    assert!(
        TcpStream::connect_timeout(&addr, Duration::from_millis(300)).is_err(),
        "broker still listening"
    );
    assert!(
        listeners(ports.epmd).is_empty(),
        "the run's epmd is still up"
    );
    assert!(!opts.dir.exists(), "run directory left behind");
}

struct Quiet;
impl system::Progress for Quiet {
    fn cell(&self, _: usize, _: usize, _: &str) {}
    fn done(&self, _: &system::SystemScenario) {}
}

#[test]
fn a_tiny_run_measures_every_cell_and_the_envelope_only_where_there_is_one() {
    let Some(server) = server() else { return };
    let b = sealbench::backend::by_name("aws-lc")
        .or_else(|| sealbench::backend::ALL_BACKENDS.first().copied())
        .unwrap();
    let cell = |transport, protection, pattern| CellPlan {
        transport,
        protection,
        backend: b,
        pattern,
        rate: 100.0,
    };
    let plan = Plan {
        name: "test".into(),
        broker: options(server, "run"),
        sizes: SizeDistribution::fixed(1500),
        cells: vec![
            cell(Transport::Tcp, Protection::Plain, Pattern::Call),
            cell(Transport::Tcp, Protection::SealAll, Pattern::Call),
            cell(Transport::Tcp, Protection::SignAll, Pattern::Fanout),
            cell(Transport::Tls, Protection::SealAll, Pattern::Cast),
        ],
        duration: Duration::from_millis(500),
        drain: Duration::from_secs(5),
        fanout_servers: 2,
        idle_sample: Duration::from_millis(200),
    };
    let run = system::run(&plan, &Quiet).unwrap();
    assert_eq!(run.scenarios.len(), 4);
    for s in &run.scenarios {
        assert_eq!(s.errors, 0, "{}: {:?}", s.id, s.first_error);
        assert_eq!(s.sent, 50, "{}", s.id);
        assert_eq!(s.completed, 50, "{}", s.id);
        assert!(
            s.latency.p50_us > 0.0 && s.latency.p99_us >= s.latency.p50_us,
            "{}",
            s.id
        );
        assert!(s.cpu_per_rpc.clients_us > 0.0, "{}", s.id);
        assert_eq!(s.payload_mean_bytes, 1500.0);
    }
    let [plain, seal, fan, tls] = &run.scenarios[..] else {
        unreachable!()
    };
    assert_eq!(plain.cpu_per_rpc.envelope_us, 0.0);
    assert_eq!(plain.wire_mean_bytes, 1500.0);
    assert!(seal.cpu_per_rpc.envelope_us > 0.0 && seal.wire_mean_bytes > 1500.0);
    assert_eq!(
        seal.envelope_calls_per_rpc, 4.0,
        "seal + open of request and reply"
    );
    assert_eq!(fan.lost_deliveries, 0);
    assert_eq!(fan.envelope_calls_per_rpc, 3.0, "one seal, two opens");
    assert_eq!(tls.transport, Transport::Tls);
    assert_eq!(tls.envelope_calls_per_rpc, 2.0);
    let doc = run.to_results_json(serde_json::json!({})).unwrap();
    let back = system::SystemRun::from_results_json(&doc).unwrap();
    assert_eq!(back[0].scenarios, run.scenarios);
    let path = std::env::temp_dir().join(format!("sealbench-e2e-test-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    let file = sealbench::results::ResultsFile::load(&path).unwrap();
    let typed = sealbench::results::system::SystemFile::load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(typed.runs[0].scenarios.len(), 4);
    assert!(file.runs[0].scenarios.iter().all(|s| s.layer == "system"));
}
