//! Why a scenario could not be measured.

use crate::backend::{self, Unsupported};
use crate::envelope::EnvelopeError;

/// A scenario failed to set up or to run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MeasureError {
    /// A backend operation failed.
    #[error("backend: {0}")]
    Backend(#[from] backend::Error),
    /// Sealing or opening an envelope failed.
    #[error("envelope: {0}")]
    Envelope(#[from] EnvelopeError),
    /// A TLS channel could not be set up or failed.
    #[error("channel: {0}")]
    Channel(#[from] crate::channel::ChannelError),
    /// The scenario is inconsistent (a bug in the matrix).
    #[error("scenario: {0}")]
    Scenario(&'static str),
}

impl From<Unsupported> for MeasureError {
    fn from(u: Unsupported) -> Self {
        Self::Backend(u.into())
    }
}

impl MeasureError {
    /// The backend's reason, if the scenario is unsupported rather than broken.
    pub fn unsupported(&self) -> Option<Unsupported> {
        match self {
            Self::Backend(backend::Error::Unsupported(u))
            | Self::Envelope(EnvelopeError::Unsupported(u))
            | Self::Envelope(EnvelopeError::Key(backend::Error::Unsupported(u)))
            | Self::Channel(crate::channel::ChannelError::Unsupported(u)) => Some(*u),
            _ => None,
        }
    }
}
