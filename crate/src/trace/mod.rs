//! Owns what a run leaves behind: seekable (keyframes), drawable (frames),
//! comparable (digest), readable (text timeline); shown facts per node (facts), seekable like the rest.

pub mod digest;
pub mod event;
pub mod facts;
pub mod frame;
pub mod keyframe;
pub mod text;
