//! A candidate's count of the votes it collected for one term, from a fixed
//! list of peers, and what a majority is when the candidate votes for itself.

/// A majority of `members` (the candidate included) with `count` votes.
pub fn is_majority(count: usize, members: usize) -> bool {
    2 * count > members
}

/// Votes granted to this candidate in `term`, one slot per peer (in the
/// candidate's peer order), plus its own vote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    term: u32,
    granted: Vec<bool>,
}

impl Tally {
    pub fn new(term: u32, peers: usize) -> Tally {
        Tally { term, granted: vec![false; peers] }
    }

    pub fn term(&self) -> u32 {
        self.term
    }

    /// Peer `peer` granted its vote: the votes now held, the candidate's own
    /// included. A peer that grants twice still counts once.
    pub fn grant(&mut self, peer: usize) -> usize {
        if let Some(g) = self.granted.get_mut(peer) {
            *g = true;
        }
        self.votes()
    }

    pub fn votes(&self) -> usize {
        1 + self.granted.iter().filter(|&&g| g).count()
    }

    /// The votes are a majority of the candidate and its peers.
    pub fn won(&self) -> bool {
        is_majority(self.votes(), self.granted.len() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_majority_counts_the_candidate_and_each_peer_once() {
        let mut t = Tally::new(3, 4); // five members
        assert_eq!(t.votes(), 1);
        assert_eq!(t.grant(0), 2);
        assert_eq!(t.grant(0), 2, "a repeated grant counts once");
        assert!(!t.won());
        assert_eq!(t.grant(3), 3);
        assert!(t.won(), "3 of 5");
        assert!(!is_majority(1, 2), "two members: one vote is not a majority");
        assert!(is_majority(2, 3));
    }
}
