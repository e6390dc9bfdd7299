//! The model registry: the one list of every model a scenario can name.
//!
//! Each row names, for one model: its key in scenario files, its `ModelSpec`
//! variant with the spec type, the builder, and — when the model is the first
//! to use them — the message family and the timer enum it brings. From this one
//! table the macros in `model/msg.rs` and `scenario/format.rs` generate
//! `ModelSpec` (serde + JSON Schema), `ModelSpec::name`, the build dispatch, the
//! `Msg` and `Timer` hub enums with `From`/`TryFrom`, message kind codes and
//! names, and the timer slot count.
//!
//! A `macro_rules!` table rather than link-time self-registration: the set of
//! models is closed and known at compile time (enums stay `Copy` and inline in
//! the event queue), and link order can never become an input of a run.
//!
//! # Adding a model
//! 1. Write the model in its own module under `model/`: its message family with
//!    `message_family!` (or reuse one), its timers with `timer_enum!` (or
//!    `NoTimer`), what it receives with `inbox!` if that is several families,
//!    and an `impl Model` whose handlers take those types (so each `match` is
//!    exhaustive over the model's own messages).
//! 2. Write its spec and builder in `scenario/models/`.
//! 3. Add one row below, e.g.
//!    `"kv_store" KvStore(crate::scenario::models::kv::KvSpec) = crate::scenario::models::kv::build, msg Kv(crate::model::kv::KvMsg), timer Kv(crate::model::kv::KvTimer);`
//!
//! Message kind codes are `10 * family index + kind index`: the order of the
//! rows that bring a family fixes the codes, so append new families at the end
//! (codes are in the trace digest and the page's palette).

/// Calls `$then!` with the registry table. Row grammar:
/// `/// docs` `"key" Variant(SpecType) = builder_fn [, msg HubVariant(FamilyType)] [, timer HubVariant(TimerType)];`
macro_rules! registry {
    ($then:ident) => {
        $then! {
            /// A client issuing requests with time-outs and retries.
            "client" Client(crate::scenario::models::client::ClientSpec) = crate::scenario::models::client::build,
                msg Service(crate::model::msg::ServiceMsg), timer Client(crate::model::workload::ClientTimer);
            /// A member of a heartbeat-based HA cluster.
            "ha_member" HaMember(crate::scenario::models::ha_member::HaMemberSpec) = crate::scenario::models::ha_member::build,
                msg Ha(crate::model::ha_member::HaMsg), timer Ha(crate::model::ha_member::HaTimer);
            /// A fileserver of an active/passive pair with STONITH and block replication.
            "fileserver" Fileserver(Box<crate::scenario::models::fileserver::FileserverSpec>) = crate::scenario::models::fileserver::build,
                msg Gh(crate::model::fileserver::msg::GhMsg), timer Gh(crate::model::fileserver::msg::GhTimer);
            /// A PostgreSQL node (primary or replica) with WAL as a fluid.
            "postgres" Postgres(Box<crate::scenario::models::postgres::PostgresSpec>) = crate::scenario::models::postgres::build,
                msg Pg(crate::model::postgres::PgMsg), timer Pg(crate::model::postgres::PgTimer);
            /// A Raft server (etcd).
            "raft" Raft(crate::scenario::models::raft::RaftSpec) = crate::scenario::models::raft::build,
                msg Raft(crate::model::raft::RaftMsg), timer Raft(crate::model::raft::RaftTimer);
            /// A database cluster manager holding the primary's lease in a coordination store.
            "db_manager" DbManager(crate::scenario::models::db_cluster::DbManagerSpec) = crate::scenario::models::db_cluster::build_manager,
                msg Db(crate::model::db_cluster::DbMsg), timer Db(crate::model::db_cluster::DbTimer);
            /// A database member (primary or replica) serving requests with a fixed capacity, as Cloudflare's PostgreSQL nodes did.
            "db_member" DbMember(crate::scenario::models::db_cluster::DbMemberSpec) = crate::scenario::models::db_cluster::build_member;
            /// Backup storage and the recovery that picks the newest usable restore point.
            "backup_catalog" BackupCatalog(Box<crate::scenario::models::backup_catalog::BackupCatalogSpec>) = crate::scenario::models::backup_catalog::build,
                timer Backup(crate::model::backup_catalog::BackupTimer);
            /// Operators running a recovery runbook over fileserver pairs.
            "ops_team" OpsTeam(crate::scenario::models::fencing::OpsTeamSpec) = crate::scenario::models::fencing::build_ops_team;
            /// An Elasticsearch node (master-eligible and/or data): Zen discovery or voting configurations.
            "elasticsearch" Elasticsearch(Box<crate::scenario::models::elasticsearch::EsSpec>) = crate::scenario::models::elasticsearch::build,
                msg Es(crate::model::elasticsearch::EsMsg), timer Es(crate::model::elasticsearch::EsTimer);
            /// An IPMI BMC or switched PDU that powers nodes off on request.
            "fence_device" FenceDevice(crate::scenario::models::fencing::FenceDeviceSpec) = crate::scenario::models::fencing::build_fence_device,
                msg Fence(crate::model::fencing::FenceMsg), timer Fence(crate::model::fencing::FenceTimer);
            /// A quorum witness: the third vote for two-node pairs.
            "witness" Witness(crate::scenario::models::fencing::WitnessSpec) = crate::scenario::models::fencing::build_witness,
                msg Vote(crate::model::fencing::VoteMsg);
            /// An NVIDIA AIStore node (proxy or target): Smap, keepalives, HRW elections, a host TCP memory budget, liveness probes.
            "aistore" Aistore(Box<crate::scenario::models::aistore::AisSpec>) = crate::scenario::models::aistore::build, msg Ais(crate::model::aistore::AisMsg), timer Ais(crate::model::aistore::AisTimer);
            /// A MongoDB replica set member (protocol version 1: terms, heartbeats, write concern, rollback).
            "mongodb" Mongodb(crate::scenario::models::mongodb::MongoSpec) = crate::scenario::models::mongodb::build,
                msg Mongo(crate::model::mongodb::MongoMsg), timer Mongo(crate::model::mongodb::MongoTimer);
            /// A Kafka cluster node: the ZooKeeper server or a broker (controller epoch, partition leader and ISR, acks).
            "kafka" Kafka(Box<crate::scenario::models::kafka::KafkaSpec>) = crate::scenario::models::kafka::build,
                msg Kafka(crate::model::kafka::KafkaMsg), timer Kafka(crate::model::kafka::KafkaTimer);
            /// A lease store (DCS): keys with TTL leases, compare-and-set on revisions, watches.
            "lease_store" LeaseStore(crate::scenario::models::lease_store::LeaseStoreSpec) = crate::scenario::models::lease_store::build,
                msg Lease(crate::model::lease_store::msg::LeaseMsg), timer Lease(crate::model::lease_store::msg::LeaseTimer);
            /// A PostgreSQL server with Patroni on one host: leader key in a lease store, watchdog.
            "patroni" Patroni(Box<crate::scenario::models::patroni::PatroniSpec>) = crate::scenario::models::patroni::build,
                msg PgStream(crate::model::patroni::msg::PgStreamMsg), timer Patroni(crate::model::patroni::msg::PatroniTimer);
        }
    };
}

pub(crate) use registry;
