//! Monitors read the trace and report; they never change a run.

pub mod gauges;
pub mod groups;
pub mod impact;
pub mod invariants;
pub mod metrics;
pub mod outcome;
pub mod spread;
pub mod writes;

pub use metrics::{MetricDef, METRICS, METRIC_TABLE};
pub use outcome::{compute, Outcome};
