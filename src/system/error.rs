//! Errors of the end-to-end run. Each names what failed: the broker step, the file, the flag.

/// Why an end-to-end run failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SystemError {
    /// A file or flag could not be used.
    #[error("{what}: {detail}")]
    Input {
        /// The file or flag.
        what: String,
        /// What is wrong with it.
        detail: String,
    },
    /// The broker could not be set up, started, reached or stopped.
    #[error("broker: {0}")]
    Broker(String),
    /// An AMQP operation failed.
    #[error("amqp {step}: {source}")]
    Amqp {
        /// What was being done (`connect tls`, `declare reply queue`, ...).
        step: String,
        /// The client library's error.
        source: lapin::Error,
    },
    /// Making the run's CA or certificates failed.
    #[error("pki: {0}")]
    Pki(String),
    /// Envelope set-up or a seal/open failed (an open failing is a bug in the run: every
    /// message is addressed correctly).
    #[error("envelope ({context}): {source}")]
    Envelope {
        /// Where.
        context: String,
        /// The envelope error.
        source: crate::envelope::EnvelopeError,
    },
    /// Local I/O (config files, /proc).
    #[error("{context}: {source}")]
    Io {
        /// What was being read or written.
        context: String,
        /// The error.
        source: std::io::Error,
    },
}

impl SystemError {
    /// An AMQP error at `step`.
    pub(crate) fn amqp(step: impl Into<String>) -> impl FnOnce(lapin::Error) -> Self {
        let step = step.into();
        move |source| Self::Amqp { step, source }
    }

    /// An I/O error while doing `context`.
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let context = context.into();
        move |source| Self::Io { context, source }
    }

    /// An envelope error in `context`.
    pub(crate) fn envelope(
        context: impl Into<String>,
    ) -> impl FnOnce(crate::envelope::EnvelopeError) -> Self {
        let context = context.into();
        move |source| Self::Envelope { context, source }
    }
}
