//! Owns what a run leaves behind: seekable (keyframes), drawable (frames),
//! comparable (digest), readable (text timeline).

pub mod digest;
pub mod event;
pub mod frame;
pub mod keyframe;
pub mod text;
