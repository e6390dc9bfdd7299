//! The guard on destructive commands (GitLab's postmortem item #1094: a prompt
//! that shows host and role; a wrapper that asks a second person to confirm the
//! host). The operator's `rm -rf` of a data directory always reaches the host
//! it was typed on: the wrong-host slip stays in the timeline. What the guard
//! changes is what that host does with it: it looks at the host's own role and
//! refuses to delete the data of a database that is serving as the primary
//! (or is the only copy left after a restore), while a replica's data can still
//! be wiped, as a rebuild needs.

use super::PgState;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No guard, or the host is a replica: the command runs.
    Run,
    /// The guard saw the host's role and stopped the command.
    Refused,
}

/// Whether `rm -rf` of the data directory runs on a host in `state`.
pub fn delete_data_directory(guard_on: bool, state: PgState) -> Verdict {
    let holds_the_primary_data = matches!(state, PgState::Primary | PgState::DiskFull | PgState::Restored);
    if guard_on && holds_the_primary_data {
        Verdict::Refused
    } else {
        Verdict::Run
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_only_on_a_primary_and_only_with_the_guard() {
        assert_eq!(delete_data_directory(true, PgState::Primary), Verdict::Refused);
        assert_eq!(delete_data_directory(true, PgState::Restored), Verdict::Refused);
        assert_eq!(delete_data_directory(true, PgState::Broken), Verdict::Run, "a broken replica may be wiped for a rebuild");
        assert_eq!(delete_data_directory(true, PgState::Streaming), Verdict::Run);
        assert_eq!(delete_data_directory(false, PgState::Primary), Verdict::Run);
    }
}
