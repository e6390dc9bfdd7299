//! Incident Replay: a deterministic simulator that replays distributed-systems
//! outages. A run is a pure function of (scenario, parameters, seed).
//!
//! Layers, from the bottom: `engine` (time, queue, randomness, the loop) drives
//! `model`s over the `net`; the run leaves a `trace`, which `monitor`s measure;
//! `scenario` turns JSON into a runnable setup; `replay` ties a run together for
//! the two faces, the CLI (`bin/`) and the browser (`wasm`).

pub mod bench;
pub mod engine;
pub mod ids;
pub mod model;
pub mod monitor;
pub mod net;
pub mod order;
pub mod replay;
pub mod scenario;
pub mod trace;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
