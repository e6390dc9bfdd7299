#!/usr/bin/env python3
"""Writes scenarios/redis-cluster-failover.json (run from the repository root).

Two sides of one switch. Masters m1..m5 (how many take part is a parameter),
each with one or two replicas. The partition's shape is a parameter: nodes
that can sit on either side exist twice (`r1` on side B, `r1a` on side A;
`m2` and `m2a`), and the shape enables one of the two, so the partition's
group lists stay fixed while what is cut off changes:
  shape 0: m1 alone on side A (its replica on side B can take over);
  shape 1: m1 with its replica r1 on side A (the source document's quorum example);
  shape 2: m1, r1 and m2 on side A (two masters cut off).
"""
from scenario_gen import client_node, param, scenario_document, write_scenario

SOURCES = [
    {"id": "redis-cluster-spec", "title": "Redis, Redis Cluster Specification (failure detection, currentEpoch/configEpoch, replica election and rank, write safety, availability)",
     "url": "https://redis.io/docs/reference/cluster-spec/"},
    {"id": "redis-conf", "title": "Redis, redis.conf (self-documented): cluster-node-timeout, cluster-replica-validity-factor, cluster-require-full-coverage, min-replicas-to-write, min-replicas-max-lag, repl-ping-replica-period",
     "url": "https://raw.githubusercontent.com/redis/redis/7.2/redis.conf"},
    {"id": "redis-cluster-source", "title": "Redis source, src/cluster_legacy.c (cluster.c before 7.2): clusterUpdateState (minority partition, rejoin delay 0.5-5 s, writable delay 2 s), markNodeAsFailingIfNeeded, clusterHandleSlaveFailover",
     "url": "https://github.com/redis/redis/blob/7.2/src/cluster_legacy.c"},
    {"id": "jepsen-redis-2013", "title": "Kyle Kingsbury, Jepsen: Redis (2013): an isolated primary keeps acknowledging writes under asynchronous replication, and its writes are destroyed when it is demoted (Sentinel, the same replication)",
     "url": "https://aphyr.com/posts/283-jepsen-redis"},
    {"id": "seed-split-brain", "title": "Source document (Korean split-brain guide, secondary; no URL recorded): its Redis Cluster of 3 masters + 3 replicas, cluster-node-timeout 5000, and its partition examples",
     "url": "https://redis.io/docs/reference/cluster-spec/"},
]

MASTERS = ["m1", "m2", "m3", "m4", "m5"]


def rc_spec(shards, gauges=None):
    spec = {
        "plane": "bus",
        "client_plane": "data",
        "shards": shards,
        "node_timeout": "$node_timeout",
        "replica_validity_factor": "$replica_validity_factor",
        "repl_ping_replica_period": "10s",
        "require_full_coverage": "$require_full_coverage",
        "min_replicas_to_write": "$min_replicas_to_write",
        "min_replicas_max_lag": "$min_replicas_max_lag",
    }
    spec.update(gauges or {})
    return {"redis_cluster": spec}


# Shard i: its nodes in order, the first that runs is the master (movable nodes exist twice).
def shard_specs():
    out = []
    for i, m in enumerate(MASTERS, start=1):
        masters = ["m2", "m2a"] if m == "m2" else [m]
        first = ["r1", "r1a"] if i == 1 else [f"r{i}"]
        out.append({"group": f"slots {i}", "nodes": masters + first + [f"r{i}b"]})
    return out


nodes = []
pos = {
    "m1": (0.08, 0.2), "r1a": (0.08, 0.5), "m2a": (0.24, 0.2),
    "m2": (0.42, 0.2), "m3": (0.58, 0.2), "m4": (0.74, 0.2), "m5": (0.9, 0.2),
    "r1": (0.42, 0.45), "r2": (0.5, 0.5), "r3": (0.58, 0.45), "r4": (0.74, 0.45), "r5": (0.9, 0.45),
    "r1b": (0.42, 0.65), "r2b": (0.5, 0.7), "r3b": (0.58, 0.65), "r4b": (0.74, 0.65), "r5b": (0.9, 0.65),
}
enabled = {
    "m2": "!$shape>=2", "m2a": "$shape>=2", "m4": "$masters>=4", "m5": "$masters>=5",
    "r1": "!$shape>=1", "r1a": "$shape>=1", "r4": "$masters>=4", "r5": "$masters>=5",
    "r1b": "$replicas_per_master>=2", "r2b": "$replicas_per_master>=2", "r3b": "$replicas_per_master>=2",
    # r4b and r5b need both conditions: they run with two replicas per master in a 5-master cluster only.
    "r4b": "$five_with_two_replicas>=1", "r5b": "$five_with_two_replicas>=1",
}
labels = {
    "m1": "master m1, slots 0-5460 of 3 (side A)", "m2a": "master m2 (side A: shape 2)", "m2": "master m2 (side B)",
    "r1": "replica r1 of m1 (side B)", "r1a": "replica r1 of m1 (side A: shapes 1, 2)",
}
gauges = {
    "m1": {"state_gauge": "state_side_a", "down_ms_gauge": "down_ms_side_a"},
    "m3": {"state_gauge": "state_side_b", "down_ms_gauge": "down_ms_side_b", "uncovered_gauge": "uncovered_side_b"},
}
order = ["m1", "r1a", "m2a", "m2", "m3", "m4", "m5", "r1", "r2", "r3", "r4", "r5", "r1b", "r2b", "r3b", "r4b", "r5b"]
for name in order:
    g = dict(gauges.get(name, {}))
    if name.startswith("r"):
        g["failover_gauge"] = "failover_ms"
    node = {"name": name, "label": labels.get(name, ("master " if name.startswith("m") else "replica ") + name + " (side B)"),
            "x": pos[name][0], "y": pos[name][1], "model": rc_spec(shard_specs(), g)}
    if name in enabled:
        node["enabled"] = enabled[name]
    nodes.append(node)
nodes.append(client_node("client_a", "client (side A)", 0.16, 0.88, ["m1"], timeout="1s"))
nodes.append(client_node("client_b", "client (side B)", 0.66, 0.88, ["m3", "r3"], timeout="1s"))

redis_nodes = order
links = [
    {"nodes": redis_nodes, "planes": ["bus"], "latency": "250us", "jitter": "100us", "via": ["switch"]},
    {"nodes": redis_nodes + ["client_a", "client_b"], "planes": ["data"], "latency": "250us", "jitter": "100us", "via": ["switch"]},
]

side_a = ["m1", "r1a", "m2a", "client_a"]
side_b = ["m2", "m3", "m4", "m5", "r1", "r2", "r3", "r4", "r5", "r1b", "r2b", "r3b", "r4b", "r5b", "client_b"]

timeline = [
    {"at": "0s", "title": "Three masters, three replicas", "action": "note", "source": "seed-split-brain",
     "narration": "The source document's cluster: three masters (m1, m2, m3) serving the 16,384 hash slots in three ranges, each with one replica (r1, r2, r3), cluster-node-timeout 5000 ms, cluster-replica-validity-factor 10, cluster-require-full-coverage yes. Every node pings the others on the cluster bus; each master acknowledges a write at once and streams it to its replica (asynchronous replication). A node asked for a key it does not serve redirects to the master it believes does (MOVED). Two clients write keys of every slot: one on side A, next to m1, one on side B. The parameters move masters, replicas, the node timeout and the partition's shape."},
    {"at": "$partition_at", "title": "m1 is cut off", "action": {"partition": {"groups": [side_a, side_b]}},
     "source": "redis-cluster-spec",
     "narration": "The switch port to side A fails. By default (shape 0) m1 is alone there: its replica r1 and the other masters are on side B. m1 cannot tell a partition from a crash: it keeps serving its slots and acknowledges side A's writes, which can no longer reach r1. Side B's writes to m1's slots time out. Nothing is decided before cluster-node-timeout: a ping unanswered that long makes a node PFAIL in the pinger's view. With shape 1, r1 is on side A with m1 (the source document's quorum example); with shape 2, m2 is there too."},
    {"at": "$report_at", "title": "After the node timeout", "action": "note", "source": "redis-cluster-source",
     "narration": "About one node timeout after the partition (pings go out at least every half timeout, so up to 1.5 timeouts), m1 holds the other masters in PFAIL: it sees fewer than a majority of the masters reachable and turns its cluster state to fail, refusing every query (CLUSTERDOWN). The writes it acknowledged until then exist only on m1. On side B, m2 and m3 gossip their PFAIL reports about m1; two of three masters is a majority, so m1 becomes FAIL. r1 waits 500 ms + a random 0-500 ms + its rank x 1 s, raises currentEpoch to 4, and asks the masters for their votes; m2 and m3 vote (one vote each per epoch) and r1 takes m1's slots with configEpoch 4. With shape 1 there is no replica of m1 on side B: nobody can take its slots, and with full coverage required the whole of side B refuses queries too."},
    {"at": "$heal_at", "title": "The partition heals", "action": "heal_all", "source": "jepsen-redis-2013",
     "narration": "m1 hears r1 claim its slots with configEpoch 4, newer than its own 1: last failover wins. m1 has no slots left, becomes a replica of r1 and takes a full copy of r1's data set, throwing away the writes it acknowledged during the partition that r1 never received. Jepsen saw the same with Redis's asynchronous replication in 2013: the isolated primary kept acknowledging writes and they were destroyed when it was demoted. The Redis Cluster specification states the window: writes to a master cut off with the minority are lost if it is failed over, until the node timeout stops it."},
    {"at": "$end_at", "title": "Afterwards", "action": "note", "source": "assumption",
     "narration": "Count what the clients were told was stored and is gone (lost_writes), how long two writable masters served one slot range (split_brain_s), the time a range had no writable master (rto_s), failover_ms (from r1's last contact with m1 to its promotion), and, per side, how long the cluster state was fail (down_ms_side_a, down_ms_side_b) and the slots side B saw uncovered (uncovered_side_b). Link latency, message sizes, the client rate and persistence across restarts (AOF, fsync always) are assumptions."},
]

parameters = {
    "node_timeout": param("s", 5, 0.5, 60, 0.5, "seed-split-brain",
        "cluster-node-timeout. The source document uses 5000 ms; redis.conf's default is 15000 ms."),
    "replica_validity_factor": param("count", 10, 0, 100, 1, "redis-conf",
        "cluster-replica-validity-factor: a replica does not fail over if its last contact with its master is older than node timeout x factor + repl-ping-replica-period (10 s); 0 = always try. redis.conf default 10, as in the source document."),
    "min_replicas_to_write": param("count", 0, 0, 2, 1, "redis-conf",
        "min-replicas-to-write: a master refuses writes unless this many replicas acknowledged within min-replicas-max-lag. Default 0 (off)."),
    "min_replicas_max_lag": param("s", 10, 1, 60, 1, "redis-conf",
        "min-replicas-max-lag (redis.conf default 10 s). Replicas acknowledge every second."),
    "masters": param("count", 3, 3, 5, 1, "seed-split-brain",
        "Masters (slot ranges): the source document has 3; the specification's availability example has 5."),
    "replicas_per_master": param("count", 1, 1, 2, 1, "seed-split-brain",
        "Replicas of each master (the source document: 1). A second replica of m1 always sits on side B."),
    "five_with_two_replicas": param("count", 0, 0, 1, 1, "assumption",
        "1 runs the second replicas of m4 and m5 (set it with masters 5 and replicas_per_master 2)."),
    "shape": param("count", 0, 0, 2, 1, "seed-split-brain",
        "What the partition cuts off on side A: 0 = m1 alone; 1 = m1 with its replica r1 (the source document's quorum example); 2 = m1, r1 and m2."),
    "client_rate": param("per_s", 30, 0, 500, 5, "assumption",
        "Writes per second by each side's client, to keys spread over all slots."),
    "partition_at": param("s", 30, 5, 300, 5, "assumption",
        "When side A is cut off."),
    "report_at": param("s", 40, 5, 600, 1, "assumption",
        "When the narration looks at the cluster (the partition plus about two node timeouts)."),
    "heal_at": param("s", 90, 10, 600, 5, "assumption",
        "When the partition heals."),
    "end_at": param("s", 120, 20, 900, 10, "assumption",
        "The last chapter."),
}

toggles = {
    "require_full_coverage": {"default": True, "label": "cluster-require-full-coverage", "source": "redis-conf",
                              "description": "On (the default, and the source document's setting): a node refuses every query while some slot range is served by nobody or by a FAIL master. Off: the ranges that are served keep working."},
}

outcomes = [
    {"metric": "lost_writes", "kind": "predicted", "value": 65, "tolerance": 25, "source": "redis-cluster-spec",
     "note": "Derived from the specification's timings, nothing fitted: m1 acknowledges side A's writes to its slots from the partition until it holds the other masters in PFAIL, one node timeout after a ping that goes out at most half a timeout after the partition: 5 to 7.5 s. Side A writes 30/s; m1 holds a third of the slots, and the ~210 keys written in such a window land there with a share of 0.27 to 0.40 (two standard deviations): 40 to 90 writes, all discarded when m1 rejoins as r1's replica."},
    {"metric": "failover_ms_max", "kind": "predicted", "value": 7500, "tolerance": 2000, "source": "redis-cluster-spec",
     "note": "The specification: the majority side recovers after the node timeout plus about 1-2 s. From r1's last contact with m1 to its promotion: m2 and m3 hold m1 in PFAIL one node timeout after a ping sent up to half a timeout after the partition (5 to 7.5 s), FAIL once the second master's report arrives by gossip (up to about 1 s more), then 0.5 to 1 s of election delay and a round of votes: 5.5 to 9.5 s. Derived, not fitted."},
    {"metric": "split_brain_s", "kind": "predicted", "value": 0, "tolerance": 0.5, "source": "redis-cluster-spec",
     "note": "m1 stops accepting writes when it loses the majority of masters (one node timeout after its pings go unanswered), before r1 can be FAIL and elected: two nodes claim the slots until the heal, but only one of them accepts writes at a time."},
]

challenges = [
    {"title": "Lose no acknowledged write", "description": "No write a client was told is stored may be lost when m1 rejoins.",
     "goals": [{"metric": "lost_writes", "at_most": 0}]},
    {"title": "Fail over within 4 s", "description": "Side B writes to m1's slots again within 4 s of r1's last contact with m1.",
     "goals": [{"metric": "failover_ms_max", "at_most": 4000}, {"metric": "failover_ms_max", "at_least": 1}]},
]

scenario = scenario_document(
    meta={
        "title": "Redis Cluster: a master cut off, a replica elected",
        "date": "2015-04-01",
        "summary": "Three masters with a replica each; m1 is cut off with a minority. It keeps acknowledging writes until cluster-node-timeout, the majority elects its replica by a majority of masters, and m1's writes are thrown away when it rejoins as a replica.",
        "start": "2015-04-01T12:00:00Z",
        "time_zone": "UTC",
        "duration": "120s",
        "sources": SOURCES,
    },
    parameters=parameters,
    toggles=toggles,
    planes=["bus", "data"],
    devices=[{"name": "switch", "label": "top-of-rack switch"}],
    nodes=nodes,
    links=links,
    timeline=timeline,
    outcomes=outcomes,
    challenges=challenges,
    invariants=[
        {"check": "single_leader_per_term",
         "note": "A replica becomes master only with the votes of a majority of the masters, and a master votes once per epoch: no two masters of one slot range are elected in the same configEpoch."},
    ],
    limits={"events_max": 5000000, "bucket": "1s"},
)

write_scenario("scenarios/redis-cluster-failover.json", scenario)
