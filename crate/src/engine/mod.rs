//! Owns virtual time, randomness and the event loop. Knows no protocol.

pub mod action;
pub mod host;
pub mod queue;
pub mod rng;
pub mod run;
pub mod time;
