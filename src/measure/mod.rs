//! The measurement engine: one scenario matrix, a mockable timer, pure statistics.
//!
//! Data flow: [`matrix`](matrix::matrix) lists [`Scenario`]s; [`routine::build`] sets each
//! up (keys, buffers, message pools) outside the timed region; [`runner::measure`] warms
//! up, calibrates and samples it within a [`Profile`]'s budget; [`stats`] summarises the
//! samples and fits `t = fixed + per_byte · size` per family; [`engine::run`] produces
//! [`ScenarioResult`](crate::results::ScenarioResult)s. `sealbench run` and
//! `benches/matrix.rs` both iterate the same matrix. Every process sealbench starts of
//! itself speaks [`child`]'s protocol. See `docs/RESULTS.md`.

pub mod child;
pub mod csv;
pub mod engine;
pub mod error;
pub mod filter;
mod inside;
pub mod keys;
pub mod matrix;
pub mod routine;
pub mod runner;
pub mod scenario;
pub mod stats;
pub mod summary;
pub mod timer;

pub use error::MeasureError;
pub use filter::IdFilter;
pub use matrix::{DEFAULT_SIZES, MatrixSpec, matrix};
pub use runner::{DEFAULT, PRECISE, Profile, QUICK, Routine};
pub use scenario::{Layer, Op, Scenario, Work};
pub use timer::{MockTimer, RealTimer, Timer};
