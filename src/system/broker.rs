//! A RabbitMQ broker of the run's own: Debian's `rabbitmq-server` started as a separate
//! node (its own node name, Erlang cookie, epmd port, data and log directories) on free
//! loopback ports, with a generated config: a plain AMQP listener and a TLS 1.3 listener
//! that requires a client certificate from the run's CA (mutual authentication). A broker
//! already on 5672 (the Debian package's own) is left alone.
//!
//! Stopped by [`Broker::stop`] or, on any early return, by `Drop`: SIGTERM to the start
//! script (which stops the VM gracefully), SIGKILL after a grace period, then the run's
//! own epmd. Nothing is left running.

use std::fmt::Write as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rand::Rng as _;

use super::error::SystemError;
use super::pki::{self, Pki};

/// The start script the Debian package installs (runs the VM as the calling user; the
/// `/usr/sbin` wrapper would switch to the `rabbitmq` user and its fixed paths).
pub const DEFAULT_SERVER: &str = "/usr/lib/rabbitmq/bin/rabbitmq-server";

/// How to start the broker.
#[derive(Debug, Clone)]
pub struct BrokerOptions {
    /// The `rabbitmq-server` start script.
    pub server: PathBuf,
    /// Directory for config, certificates, data and logs (created; removed on stop unless
    /// `keep_dir`).
    pub dir: PathBuf,
    /// Keep `dir` after stopping (logs for a post-mortem).
    pub keep_dir: bool,
    /// How long the broker may take to open its listeners.
    pub start_timeout: Duration,
}

/// Loopback ports the broker listens on.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Ports {
    /// Plain AMQP 0-9-1.
    pub amqp: u16,
    /// AMQP over TLS (mutual authentication).
    pub amqps: u16,
    /// Erlang distribution.
    pub dist: u16,
    /// The node's own epmd.
    pub epmd: u16,
}

/// A running broker.
pub struct Broker {
    child: Option<Child>,
    beam_pid: u32,
    ports: Ports,
    node: String,
    user: String,
    password: String,
    pki: Pki,
    dir: PathBuf,
    keep_dir: bool,
    version: String,
}

impl std::fmt::Debug for Broker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Broker")
            .field("node", &self.node)
            .field("beam_pid", &self.beam_pid)
            .field("ports", &self.ports)
            .finish_non_exhaustive()
    }
}

/// A port the OS considers free on 127.0.0.1 (bound, then released for the broker).
fn free_port() -> Result<u16, SystemError> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(SystemError::io("binding a free port"))?;
    let port = l.local_addr().map_err(SystemError::io("free port"))?.port();
    Ok(port)
}

fn distinct_ports() -> Result<Ports, SystemError> {
    let mut got: Vec<u16> = Vec::new();
    while got.len() < 4 {
        let p = free_port()?;
        if !got.contains(&p) {
            got.push(p);
        }
    }
    match got.as_slice() {
        [amqp, amqps, dist, epmd] => Ok(Ports {
            amqp: *amqp,
            amqps: *amqps,
            dist: *dist,
            epmd: *epmd,
        }),
        _ => Err(SystemError::Broker("could not pick four free ports".into())),
    }
}

fn config(ports: &Ports, pki: &Pki, user: &str, password: &str) -> String {
    let mut c = String::new();
    // writeln! into a String cannot fail.
    let _ = writeln!(c, "listeners.tcp.1 = 127.0.0.1:{}", ports.amqp);
    let _ = writeln!(c, "listeners.ssl.1 = 127.0.0.1:{}", ports.amqps);
    let _ = writeln!(c, "ssl_options.cacertfile = {}", pki.ca_cert.display());
    let _ = writeln!(c, "ssl_options.certfile = {}", pki.server_cert.display());
    let _ = writeln!(c, "ssl_options.keyfile = {}", pki.server_key.display());
    c.push_str(
        "ssl_options.verify = verify_peer\n\
         ssl_options.fail_if_no_peer_cert = true\n\
         ssl_options.versions.1 = tlsv1.3\n\
         ssl_options.ciphers.1 = TLS_AES_128_GCM_SHA256\n",
    );
    let _ = writeln!(c, "default_user = {user}\ndefault_pass = {password}");
    c.push_str(
        "default_vhost = /\n\
         loopback_users = none\n\
         log.console = false\n\
         log.file.level = warning\n\
         disk_free_limit.absolute = 50MB\n",
    );
    c
}

/// The installed broker's version (from the package's directory name), if found.
fn installed_version(server: &Path) -> String {
    std::fs::canonicalize(server)
        .ok()
        .and_then(|p| {
            p.ancestors()
                .filter_map(|a| {
                    a.file_name()?
                        .to_str()?
                        .strip_prefix("rabbitmq_server-")
                        .map(str::to_string)
                })
                .next()
        })
        .unwrap_or_else(|| "unknown".into())
}

impl Broker {
    /// Creates the PKI and config in `options.dir`, starts the broker and waits until both
    /// listeners accept connections.
    pub fn start(options: &BrokerOptions) -> Result<Self, SystemError> {
        if !options.server.exists() {
            return Err(SystemError::Broker(format!(
                "{} not found: install rabbitmq-server (scripts/deps.sh) or pass --rabbitmq-server",
                options.server.display()
            )));
        }
        let dir = &options.dir;
        std::fs::create_dir_all(dir).map_err(SystemError::io(dir.display().to_string()))?;
        let pki = pki::create(&dir.join("pki"))?;
        let ports = distinct_ports()?;
        let mut secret = [0u8; 12];
        rand::rng().fill_bytes(&mut secret);
        let user = "sealbench".to_string();
        let password = hex::encode(secret);
        let node = format!("sealbench-e2e-{}@localhost", std::process::id());
        let write = |name: &str, text: &str| {
            let p = dir.join(name);
            std::fs::write(&p, text).map_err(SystemError::io(p.display().to_string()))?;
            Ok::<PathBuf, SystemError>(p)
        };
        let conf = write("rabbitmq.conf", &config(&ports, &pki, &user, &password))?;
        let env_file = write("rabbitmq-env.conf", "")?;
        let plugins = write("enabled_plugins", "[].\n")?;
        let log_out =
            std::fs::File::create(dir.join("server.out")).map_err(SystemError::io("server.out"))?;
        let log_err = log_out.try_clone().map_err(SystemError::io("server.out"))?;
        let pid_file = dir.join("beam.pid");
        let erl_args = format!(
            "+sbwt none +sbwtdcpu none +sbwtdio none -kernel inet_dist_use_interface {{127,0,0,1}} -kernel inet_dist_listen_min {0} -kernel inet_dist_listen_max {0}",
            ports.dist
        );
        let child = Command::new(&options.server)
            .current_dir(dir)
            .env("HOME", dir)
            .env("RABBITMQ_NODENAME", &node)
            .env("RABBITMQ_CONFIG_FILE", &conf)
            .env("RABBITMQ_CONF_ENV_FILE", &env_file)
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", &plugins)
            .env("RABBITMQ_ENABLED_PLUGINS", "")
            .env("RABBITMQ_MNESIA_BASE", dir.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", dir.join("log"))
            .env("RABBITMQ_PID_FILE", &pid_file)
            .env("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .env("RABBITMQ_NODE_PORT", ports.amqp.to_string())
            .env("RABBITMQ_DIST_PORT", ports.dist.to_string())
            .env("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", erl_args)
            .env("ERL_EPMD_PORT", ports.epmd.to_string())
            .env("ERL_EPMD_ADDRESS", "127.0.0.1")
            .stdin(Stdio::null())
            .stdout(log_out)
            .stderr(log_err)
            .spawn()
            .map_err(|e| {
                SystemError::Broker(format!("starting {}: {e}", options.server.display()))
            })?;
        let mut broker = Self {
            child: Some(child),
            beam_pid: 0,
            ports,
            node,
            user,
            password,
            pki,
            dir: dir.clone(),
            keep_dir: options.keep_dir,
            version: installed_version(&options.server),
        };
        broker.wait_ready(&pid_file, options.start_timeout)?;
        Ok(broker)
    }

    fn wait_ready(&mut self, pid_file: &Path, timeout: Duration) -> Result<(), SystemError> {
        let deadline = Instant::now() + timeout;
        let up = |port: u16| {
            TcpStream::connect_timeout(
                &SocketAddr::from(([127, 0, 0, 1], port)),
                Duration::from_millis(200),
            )
            .is_ok()
        };
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                self.child = None;
                return Err(SystemError::Broker(format!(
                    "exited during start ({status}); last output:\n{}",
                    self.log_tail()
                )));
            }
            if self.beam_pid == 0
                && let Ok(text) = std::fs::read_to_string(pid_file)
                && let Ok(pid) = text.trim().parse::<u32>()
            {
                self.beam_pid = pid;
            }
            if self.beam_pid != 0 && up(self.ports.amqp) && up(self.ports.amqps) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(SystemError::Broker(format!(
                    "listeners not up after {timeout:?}; last output:\n{}",
                    self.log_tail()
                )));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The last lines of the broker's console output and log.
    pub fn log_tail(&self) -> String {
        let mut text = std::fs::read_to_string(self.dir.join("server.out")).unwrap_or_default();
        if let Ok(entries) = std::fs::read_dir(self.dir.join("log")) {
            for e in entries.flatten() {
                text.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
        let lines: Vec<&str> = text.lines().collect();
        lines
            .get(lines.len().saturating_sub(25)..)
            .unwrap_or_default()
            .join("\n")
    }

    /// The broker VM's process id (for its CPU time).
    pub fn pid(&self) -> u32 {
        self.beam_pid
    }

    /// The listeners' ports.
    pub fn ports(&self) -> Ports {
        self.ports
    }

    /// The Erlang node name.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// The broker's version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The run's PKI (the client identity for TLS).
    pub fn pki(&self) -> &Pki {
        &self.pki
    }

    /// URI of the plain listener.
    pub fn amqp_uri(&self) -> String {
        format!(
            "amqp://{}:{}@127.0.0.1:{}/%2f",
            self.user, self.password, self.ports.amqp
        )
    }

    /// URI of the TLS listener.
    pub fn amqps_uri(&self) -> String {
        format!(
            "amqps://{}:{}@127.0.0.1:{}/%2f",
            self.user, self.password, self.ports.amqps
        )
    }

    /// Stops the broker and its epmd and removes the run directory (unless kept).
    pub fn stop(mut self) -> Result<(), SystemError> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<(), SystemError> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        signal("TERM", child.id());
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut exited = false;
        while Instant::now() < deadline {
            if matches!(child.try_wait(), Ok(Some(_))) {
                exited = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if !exited {
            signal("KILL", child.id());
            let _ = child.wait();
        }
        // The VM itself, if the script went without it.
        if self.beam_pid != 0 && Path::new(&format!("/proc/{}", self.beam_pid)).exists() {
            signal("KILL", self.beam_pid);
        }
        let _ = Command::new("epmd")
            .args(["-port", &self.ports.epmd.to_string(), "-kill"])
            .env("ERL_EPMD_PORT", self.ports.epmd.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if !self.keep_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
        if exited {
            Ok(())
        } else {
            Err(SystemError::Broker(
                "did not stop within 30 s of SIGTERM; killed".into(),
            ))
        }
    }
}

fn signal(sig: &str, pid: u32) {
    let _ = Command::new("kill")
        .args([format!("-{sig}"), pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}
