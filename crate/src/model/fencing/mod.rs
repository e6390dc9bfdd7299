//! Fencing and quorum, as mechanisms any model can use: fence devices that
//! power a node off on request (STONITH), and votes — a `Ballot` that gives one
//! vote per term and keeps it with its holder for a while — answered by a
//! quorum witness (the third vote of a two-node pair) or by cluster members
//! voting for each other.
//!
//! A candidate counts what it collected with a `Tally`.
//!
//! Fence devices speak `FenceMsg`, votes `VoteMsg`; a model that uses them puts
//! the family in its `inbox!`.

pub mod ballot;
pub mod device;
pub mod msg;
pub mod tally;
pub mod witness;

pub use ballot::Ballot;
pub use msg::{FenceMsg, FenceTimer, VoteMsg};
pub use tally::Tally;
