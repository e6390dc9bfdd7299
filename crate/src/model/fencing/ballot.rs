//! A voter's ballot: one vote per term, and a vote given stays with its holder
//! while the holder keeps renewing it, and for `hold_us` after its last
//! renewal. The hold is what makes a majority exclusive over time as well as
//! per term: a voter that just voted for one member cannot lend the same vote
//! to another in the next term while the first may still act on it.
//!
//! Kept on disk (it survives a restart), as Raft's `votedFor` is.

use crate::ids::NodeId;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ballot {
    /// Who holds the vote, for which term, and when it was last granted or renewed.
    granted: Option<(NodeId, u32, u64)>,
}

impl Ballot {
    /// The newest term this ballot voted in (0 before any vote).
    pub fn term(&self) -> u32 {
        self.granted.map_or(0, |(_, term, _)| term)
    }

    /// `candidate` asks for the vote in `term` at `now_us` (the voter's
    /// monotonic clock). Granted to the holder again in its term or a newer
    /// one; to anyone else only for a newer term and once the holder has been
    /// silent for more than `hold_us`.
    pub fn request(&mut self, candidate: NodeId, term: u32, now_us: u64, hold_us: u64) -> bool {
        let granted = match self.granted {
            None => true,
            Some((_, voted, _)) if term < voted => false,
            Some((holder, _, _)) if holder == candidate => true,
            Some((_, voted, _)) if term == voted => false,
            Some((_, _, at_us)) => now_us.saturating_sub(at_us) > hold_us,
        };
        if granted {
            self.granted = Some((candidate, term, now_us));
        }
        granted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_vote_per_term_and_the_holder_keeps_it_while_it_renews() {
        let (a, b) = (NodeId(0), NodeId(1));
        let mut v = Ballot::default();
        assert!(v.request(a, 1, 0, 5));
        assert!(!v.request(b, 1, 100, 5), "term 1 is a's");
        assert!(!v.request(b, 2, 3, 5), "a was heard 3 µs ago: its vote is held");
        assert!(v.request(a, 1, 4, 5), "the holder renews");
        assert!(v.request(b, 2, 10, 5), "a silent past the hold: b gets term 2");
        assert!(!v.request(a, 1, 100, 5), "an older term is never granted");
        assert_eq!(v.term(), 2);
    }
}
