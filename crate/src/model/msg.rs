//! Everything that travels between nodes, every timer a model can set, and the
//! operator commands a timeline can issue. Plain `Copy` enums: the queue stores
//! them inline, so the hot path never allocates.
//!
//! Each protocol declares its own message family (`message_family!`) and timer
//! enum (`timer_enum!`) in its own module; the hub enums `Msg` and `Timer`, with
//! `From`/`TryFrom` both ways, kind codes and names, and the number of timer
//! slots, are generated from the registry (`model/registry.rs`). A model that
//! receives more than one family (a server takes client requests and its peers'
//! messages) names what it receives with `inbox!`.

use super::registry::registry;

/// Why a server did not serve a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyStatus {
    Ok,
    /// This node is not the one accepting writes; the client tries another.
    NotActive,
    /// The node is overloaded or the write could not be made durable in time.
    Unavailable,
}

/// A message family: a closed `Copy` enum of one protocol's messages, each with
/// a kind (its index in declaration order) and a name for the legend.
pub trait Family: Copy + Into<Msg> + TryFrom<Msg, Error = Msg> {
    const KIND_NAMES: &'static [&'static str];
    fn kind(&self) -> u8;
}

/// A model's timer enum: each variant is a slot (its index in declaration
/// order); setting a timer replaces the pending one in its slot.
pub trait TimerSlots: Copy {
    const SLOTS: usize;
    fn slot(self) -> usize;
}

/// Declares a message family: `name = "kind-name"` per variant.
macro_rules! message_family {
    (
        $(#[$m:meta])* $vis:vis enum $name:ident {
            $( $(#[$vm:meta])* $v:ident $({ $( $(#[$fm:meta])* $f:ident : $t:ty ),* $(,)? })? = $kind:literal ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name {
            $( $(#[$vm])* $v $({ $( $(#[$fm])* $f: $t ),* })? ),*
        }

        impl $crate::model::msg::Family for $name {
            const KIND_NAMES: &'static [&'static str] = &[$($kind),*];
            fn kind(&self) -> u8 {
                #[allow(dead_code)]
                #[repr(u8)]
                enum Kind { $($v),* }
                match self { $( Self::$v { .. } => Kind::$v as u8 ),* }
            }
        }
    };
}
pub(crate) use message_family;

/// Declares a model's timer enum (one slot per variant).
macro_rules! timer_enum {
    ( $(#[$m:meta])* $vis:vis enum $name:ident { $( $(#[$vm:meta])* $v:ident ),+ $(,)? } ) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name { $( $(#[$vm])* $v ),+ }

        impl $crate::model::msg::TimerSlots for $name {
            const SLOTS: usize = [$(stringify!($v)),+].len();
            fn slot(self) -> usize {
                self as usize
            }
        }
    };
}
pub(crate) use timer_enum;

/// Declares what a model receives when it is more than one family: an enum with
/// one variant per family and `TryFrom<Msg>` trying each in turn.
macro_rules! inbox {
    ( $(#[$m:meta])* $vis:vis enum $name:ident { $( $(#[$vm:meta])* $v:ident($t:ty) ),+ $(,)? } ) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name { $( $(#[$vm])* $v($t) ),+ }

        impl TryFrom<$crate::model::msg::Msg> for $name {
            type Error = $crate::model::msg::Msg;
            fn try_from(msg: $crate::model::msg::Msg) -> Result<Self, Self::Error> {
                $(
                    let msg = match <$t as TryFrom<$crate::model::msg::Msg>>::try_from(msg) {
                        Ok(m) => return Ok(Self::$v(m)),
                        Err(msg) => msg,
                    };
                )+
                Err(msg)
            }
        }

        $( impl From<$t> for $name {
            fn from(m: $t) -> Self {
                Self::$v(m)
            }
        } )+
    };
}
pub(crate) use inbox;

message_family! {
    /// Client traffic: requests to a service, its replies, and the switch that
    /// stops or resumes a client (the site's maintenance page).
    pub enum ServiceMsg {
        /// A client request; `write_id` is 0 for a read.
        Request { req: u32, write_id: u64 } = "request",
        Reply { req: u32, status: ReplyStatus } = "reply",
        /// Stop (`on: false`) or resume a client's traffic.
        Traffic { on: bool } = "traffic",
    }
}

/// Kind codes are `KIND_BLOCK * family index + kind`: each family owns a block.
pub const KIND_BLOCK: u8 = 10;

const fn max_of(values: &[usize]) -> usize {
    let mut max = 0;
    let mut i = 0;
    while i < values.len() {
        if values[i] > max {
            max = values[i];
        }
        i += 1;
    }
    max
}

/// Generates the hub enums from the registry table.
macro_rules! define_hubs {
    ( $( $(#[$doc:meta])* $key:literal $variant:ident($spec:ty) = $build:path
         $(, msg $mv:ident($mt:ty))? $(, timer $tv:ident($tt:ty))? ; )* ) => {
        /// Every message, by family (in registry order).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Msg { $( $( $mv($mt), )? )* }

        #[allow(dead_code)]
        #[repr(u8)]
        enum FamilyIndex { $( $( $mv, )? )* }

        $( $(
            impl From<$mt> for Msg {
                fn from(m: $mt) -> Msg {
                    Msg::$mv(m)
                }
            }
            impl TryFrom<Msg> for $mt {
                type Error = Msg;
                fn try_from(m: Msg) -> Result<Self, Msg> {
                    match m {
                        Msg::$mv(m) => Ok(m),
                        other => Err(other),
                    }
                }
            }
            const _: () = assert!(<$mt as Family>::KIND_NAMES.len() <= KIND_BLOCK as usize, "a message family has more kinds than a code block");
        )? )*

        /// Kind names of every family, by family index.
        pub const FAMILY_KIND_NAMES: &[&[&str]] = &[ $( $( <$mt as Family>::KIND_NAMES, )? )* ];

        impl Msg {
            /// The kind code (in frames, message records and the digest).
            pub fn kind(&self) -> u8 {
                match self {
                    $( $( Msg::$mv(m) => FamilyIndex::$mv as u8 * KIND_BLOCK + Family::kind(m), )? )*
                }
            }
        }

        /// Every timer, by the model that sets it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Timer { $( $( $tv($tt), )? )* }

        $( $(
            impl From<$tt> for Timer {
                fn from(t: $tt) -> Timer {
                    Timer::$tv(t)
                }
            }
            impl TryFrom<Timer> for $tt {
                type Error = Timer;
                fn try_from(t: Timer) -> Result<Self, Timer> {
                    match t {
                        Timer::$tv(t) => Ok(t),
                        other => Err(other),
                    }
                }
            }
        )? )*

        /// Slots per node: a node runs one model, so models share slot numbers.
        pub const TIMER_SLOTS: usize = max_of(&[ $( $( <$tt as TimerSlots>::SLOTS, )? )* ]);

        impl Timer {
            pub fn slot(self) -> usize {
                let slot = match self {
                    $( $( Timer::$tv(t) => TimerSlots::slot(t), )? )*
                };
                debug_assert!(slot < TIMER_SLOTS);
                slot
            }
        }
    };
}

registry!(define_hubs);

/// Name of a message kind by code (the `kind` in frames and message records).
pub fn kind_name(code: u8) -> &'static str {
    let family = usize::from(code / KIND_BLOCK);
    FAMILY_KIND_NAMES.get(family).and_then(|names| names.get(usize::from(code % KIND_BLOCK))).copied().unwrap_or("message")
}

/// Every code with a name, in order, for the browser's legend.
pub fn kind_codes() -> impl Iterator<Item = u8> {
    FAMILY_KIND_NAMES
        .iter()
        .enumerate()
        .flat_map(|(f, names)| (0..names.len()).map(move |k| f as u8 * KIND_BLOCK + k as u8))
}

/// A model that receives no messages (its `Model::Msg`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoMsg {}

impl TryFrom<Msg> for NoMsg {
    type Error = Msg;
    fn try_from(m: Msg) -> Result<Self, Msg> {
        Err(m)
    }
}

/// A model that sets no timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoTimer {}

impl TryFrom<Timer> for NoTimer {
    type Error = Timer;
    fn try_from(t: Timer) -> Result<Self, Timer> {
        Err(t)
    }
}

/// Operator commands delivered by timeline actions; each model handles the ones it knows.
/// Scenario files name them in snake_case (`"command": "maintenance_on"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    /// Stop acting on heartbeat loss (cluster-manager maintenance mode).
    MaintenanceOn,
    MaintenanceOff,
    /// Make this node the active one of its group (after a human decided it is the true primary).
    ForceActive,
    /// Make this node passive and resync it from the active.
    ForcePassive,
    /// PostgreSQL primary: the abuse burst of WAL-heavy writes starts / ends.
    StartLoadBurst,
    StopLoadBurst,
    /// Backup system: take an LVM snapshot of the primary's disk now and load it into staging.
    TakeLvmSnapshot,
    /// PostgreSQL replica: if its replication is broken, wipe its data directory and
    /// start `pg_basebackup` from the primary (an operator only rebuilds a broken replica).
    RebuildReplica,
    /// PostgreSQL node: `rm -rf` of the data directory starts / is interrupted.
    DeleteDataDirectory,
    StopDeletion,
    /// A planned network change begins / ends; models with a runbook for it react
    /// (e.g. a cluster manager configured to enter maintenance mode).
    NetworkChangeBegin,
    NetworkChangeEnd,
    /// Operators start their recovery procedure (models of a human runbook act on it).
    Recover,
    /// Patroni: its process stops for the node's configured `stall` (SIGSTOP,
    /// a hung call, a VM too busy to schedule it) while the host, its clock,
    /// its watchdog and PostgreSQL keep running.
    PatroniStall,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_stay_small_enough_to_queue_inline() {
        assert!(std::mem::size_of::<Msg>() <= 40, "{}", std::mem::size_of::<Msg>());
    }

    #[test]
    fn kind_codes_are_blocks_of_ten_in_registry_order() {
        let codes: Vec<u8> = kind_codes().collect();
        assert_eq!(&codes[..4], &[0, 1, 2, 10]);
        assert_eq!(kind_name(0), "request");
        assert_eq!(kind_name(10), "heartbeat");
        assert_eq!(kind_name(24), "inspect");
        assert_eq!(kind_name(70), "fence-request");
        assert_eq!(kind_name(80), "vote-request");
        assert_eq!(kind_name(40), "request-vote");
        assert_eq!(kind_name(53), "db-follow");
        assert_eq!(kind_name(255), "message"); // no family 25: with the lease store and Patroni, 99 is a real code
        for c in codes {
            assert_ne!(kind_name(c), "message", "code {c}");
        }
    }

    #[test]
    fn a_message_converts_to_its_family_and_back() {
        let m: Msg = ServiceMsg::Reply { req: 3, status: ReplyStatus::Ok }.into();
        assert_eq!(m.kind(), 1);
        assert_eq!(ServiceMsg::try_from(m), Ok(ServiceMsg::Reply { req: 3, status: ReplyStatus::Ok }));
        assert!(crate::model::raft::RaftMsg::try_from(m).is_err());
    }
}
