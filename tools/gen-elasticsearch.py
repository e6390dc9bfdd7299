#!/usr/bin/env python3
"""Writes scenarios/elasticsearch-split-brain.json (run from the repository root).

Two sides of one switch. Each side has a pool of master-eligible nodes (how
many take part is a parameter: nodes past the count are left out of the run),
two data nodes and a client indexing documents through its side's data nodes.
The partition cuts the sides apart; the master-eligible pools are listed
side B first, so the initial master (lowest index among equal states) is on
side B.
"""
from scenario_gen import client_node, param, scenario_document, write_scenario

A_POOL, B_POOL = 4, 5
side_a_masters = [f"a{i}" for i in range(1, A_POOL + 1)]
side_b_masters = [f"b{i}" for i in range(1, B_POOL + 1)]
side_a_data = ["da1", "da2"]
side_b_data = ["db1", "db2"]
masters = side_b_masters + side_a_masters
data = side_a_data + side_b_data

SOURCES = [
    {"id": "es-6-discovery", "title": "Elastic, Elasticsearch Reference 6.x: Discovery settings (discovery.zen.minimum_master_nodes, fault detection)",
     "url": "https://www.elastic.co/guide/en/elasticsearch/reference/6.x/discovery-settings.html"},
    {"id": "es-7-voting", "title": "Elastic, Elasticsearch Reference 7.x: breaking changes 7.0 (discovery), Voting configurations, Adding and removing nodes",
     "url": "https://www.elastic.co/guide/en/elasticsearch/reference/7.17/modules-discovery-voting.html"},
    {"id": "es-issue-2488", "title": "elastic/elasticsearch issue #2488: minimum_master_nodes does not prevent split-brain if splits are intersecting",
     "url": "https://github.com/elastic/elasticsearch/issues/2488"},
    {"id": "jepsen-es-2014", "title": "Kyle Kingsbury, Jepsen: Call me maybe: Elasticsearch (1.1.0, June 2014)",
     "url": "https://aphyr.com/posts/317-call-me-maybe-elasticsearch"},
    {"id": "seed-split-brain", "title": "Source document (Korean split-brain guide, secondary; no URL recorded): its Elasticsearch 2 | 3 worked example, an illustration of the rule on this page",
     "url": "https://www.elastic.co/guide/en/elasticsearch/reference/6.x/discovery-settings.html"},
]


def es_node(name, label, x, y, health_gauge=None):
    spec = {
        "group": "masters",
        "plane": "cluster",
        "client_plane": "data",
        "master_nodes": masters,
        "data_nodes": data,
        "racks": [side_a_data, side_b_data],
        "voting_configuration": "$voting_configuration",
        "minimum_master_nodes": "$minimum_master_nodes",
        "zen_fault_detection": {"interval": "$zen_fd_interval", "timeout": "$zen_fd_timeout", "retries": "$zen_fd_retries"},
        "follower_check": {"interval": "1s", "timeout": "$follower_check_timeout", "retries": "$follower_check_retries"},
        "ping_timeout": "3s",
        "join_timeout": "60s",
        "publish_timeout": "30s",
        "election_initial_timeout": "100ms",
        "election_back_off": "100ms",
        "election_max_timeout": "10s",
        "shards": "$shards",
        "commit_gauge": "committed_version",
    }
    if health_gauge:
        spec["health_gauge"] = health_gauge
    node = {"name": name, "label": label, "x": x, "y": y, "model": {"elasticsearch": spec}}
    return node


nodes = []
for i, n in enumerate(side_a_masters):
    node = es_node(n, f"master-eligible {n} (side A)", 0.08 + 0.1 * i, 0.2)
    node["enabled"] = f"$side_a_masters>={i + 1}"
    nodes.append(node)
for i, n in enumerate(side_b_masters):
    node = es_node(n, f"master-eligible {n} (side B)", 0.52 + 0.1 * i, 0.2)
    node["enabled"] = f"$side_b_masters>={i + 1}"
    nodes.append(node)
nodes.append(es_node("da1", "data node da1 (side A)", 0.12, 0.55, "health_side_a"))
nodes.append(es_node("da2", "data node da2 (side A)", 0.32, 0.55))
nodes.append(es_node("db1", "data node db1 (side B)", 0.62, 0.55, "health_side_b"))
nodes.append(es_node("db2", "data node db2 (side B)", 0.82, 0.55))
nodes.append(client_node("client_a", "indexing client (side A)", 0.22, 0.85, side_a_data, timeout="2s"))
nodes.append(client_node("client_b", "indexing client (side B)", 0.72, 0.85, side_b_data, timeout="2s"))

links = [
    {"nodes": masters + data, "planes": ["cluster"], "latency": "500us", "jitter": "200us", "via": ["switch"]},
    {"nodes": ["client_a"] + data, "planes": ["data"], "latency": "1ms", "jitter": "200us", "via": ["switch"]},
    {"nodes": ["client_b"] + data, "planes": ["data"], "latency": "1ms", "jitter": "200us", "via": ["switch"]},
]
# The client links above are stars through the first node in each list; use explicit pairs instead.
links = links[:1] + [
    {"nodes": [c, d], "planes": ["data"], "latency": "1ms", "jitter": "200us", "via": ["switch"]}
    for c in ["client_a", "client_b"] for d in data
]

side_a = side_a_masters + side_a_data + ["client_a"]
side_b = side_b_masters + side_b_data + ["client_b"]

timeline = [
    {"at": "0s", "title": "A cluster forms", "action": "note", "source": "es-6-discovery",
     "narration": "Nine master-eligible places on two racks (side A and side B, each behind the same switch); the parameters say how many of them run: by default 2 on side A and 3 on side B, five in all, the source document's worked example. Four data nodes hold one index of four primary shards with one replica each. The nodes ping each other for 3 s (discovery.zen.ping_timeout), elect the master-eligible node with the newest cluster state (ties: the first listed, b1), and the master allocates the shards. Two clients index documents through the data nodes of their side; a data node that knows no master refuses writes (the default no-master block)."},
    {"at": "$partition_at", "title": "The racks lose each other", "action": {"partition": {"groups": [side_a, side_b]}},
     "source": "seed-split-brain",
     "narration": "The link between the racks fails: side A (the smaller one by default) and side B can no longer talk. Nothing happens at once: under Zen, fault detection pings every second and gives up on a peer after 3 unanswered pings of 30 s each (discovery.zen.fd), about 90 s. Writes to shards whose primary and replica sit on different sides wait for the replica meanwhile. Illustration from the source document: five master-eligible nodes split 2 | 3."},
    # Zen gives up on the master after `retries` pings, each waiting `timeout`
    # and then `interval` (3 x (30 s + 1 s) = 93 s by default): side A's new
    # master is there a moment later, so the chapter comes 1 s after that. The
    # sum spells out the default three retries (a sum adds, it cannot multiply).
    {"at": "$partition_at + $zen_fd_timeout + $zen_fd_interval + $zen_fd_timeout + $zen_fd_interval + $zen_fd_timeout + $zen_fd_interval + 1s",
     "title": "Two masters?", "action": "note", "source": "es-6-discovery",
     "narration": "Side A's nodes have given up on the master b1 (after 3 unanswered pings of 30 s, each followed by the 1 s ping interval: 93 s after the partition) and held a discovery round. Zen elects a master among the visible master-eligible nodes only if there are at least minimum_master_nodes of them. With the setting at 2, side A (2 nodes) elects its own master: two masters, two clusters, each allocating the index to its own data nodes and acknowledging writes. With 3 (= 5 / 2 + 1, the documented rule) only side B can elect; side A has no master and refuses writes. From 7.0 (toggle) the setting is ignored: elections need more than half of the voting configuration, and fault detection takes 3 x 10 s."},
    {"at": "$heal_at", "title": "The link comes back", "action": "heal_all", "source": "jepsen-es-2014",
     "narration": "The racks see each other again. A master pings the nodes outside its cluster; when two Zen masters meet, the one with the older cluster state steps down and rejoins the other with its side. Its data nodes' shard copies are not in the winner's in-sync set, so they recover from the winner's primaries, and every document the losing side acknowledged during the split is thrown away. Jepsen (Elasticsearch 1.1.0, 2014) saw acknowledged documents lost this way in partitions."},
    {"at": "$end_at", "title": "Afterwards", "action": "note", "source": "assumption",
     "narration": "Count what the clients were told was indexed and is gone (lost_writes), how long two masters coexisted (split_brain_s) and how long there was no master at all (unavailable_s). The gauges health_side_a and health_side_b are what _cluster/health reports on a data node of each side (0 green, 1 yellow, 2 red, 3 no master). The model's message sizes, link latency and client rate are assumptions."},
]

# What each chapter opens with: what happens now and why it matters, in plain
# words. The research notes above become each chapter's details line.
STORY = {
    "A cluster forms": "Five master-eligible Elasticsearch nodes on two racks, two on side A and three on side B, elect one master. It places one index's shards on the data nodes, and clients on both sides index documents.",
    "The racks lose each other": "The link between the racks fails. For about 90 seconds nothing seems to happen: the nodes keep pinging a master some of them can no longer reach.",
    "Two masters?": "Side A gives up on the master and holds an election. With minimum_master_nodes at 2 its two nodes are enough: two masters, two clusters, both accepting writes; at 3 only side B can elect.",
    "The link comes back": "The racks see each other again, and the master with the older cluster state steps down and rejoins the other. Every document its side acknowledged during the split is thrown away.",
    "Afterwards": "The outcome counts the documents clients were told were indexed and that are gone, and how long two masters coexisted.",
}
for chapter in timeline:
    chapter["details"] = chapter["narration"]
    chapter["narration"] = STORY[chapter["title"]]

parameters = {
    "minimum_master_nodes": param("count", 2, 1, 9, 1, "es-6-discovery",
        "discovery.zen.minimum_master_nodes: master-eligible nodes a Zen master needs to see. Documented rule: (master-eligible / 2) + 1, 3 for five. The source document's unsafe example uses 2. Ignored with voting configurations."),
    "side_a_masters": param("count", 2, 1, A_POOL, 1, "seed-split-brain",
        "Master-eligible nodes on side A (the smaller side in the source document's example: 2)."),
    "side_b_masters": param("count", 3, 1, B_POOL, 1, "seed-split-brain",
        "Master-eligible nodes on side B, where the initial master is (3 in the source document's example)."),
    "zen_fd_interval": param("s", 1, 0.1, 60, 0.1, "es-6-discovery",
        "discovery.zen.fd.ping_interval: how often Zen's fault detection pings."),
    "zen_fd_timeout": param("s", 30, 1, 300, 1, "es-6-discovery",
        "discovery.zen.fd.ping_timeout: how long a ping may go unanswered."),
    "zen_fd_retries": param("count", 3, 1, 10, 1, "es-6-discovery",
        "discovery.zen.fd.ping_retries: failed pings before a node or master counts as gone."),
    "follower_check_timeout": param("s", 10, 1, 120, 1, "es-7-voting",
        "cluster.fault_detection.follower_check.timeout (and leader_check): 7.x fault detection, 3 x 10 s."),
    "follower_check_retries": param("count", 3, 1, 10, 1, "es-7-voting",
        "cluster.fault_detection.follower_check.retry_count (and leader_check)."),
    "shards": param("count", 4, 1, 4, 1, "assumption",
        "Primary shards of the index (one replica each). Assumed; the source document's example cluster has 150 to 300."),
    "client_rate": param("per_s", 10, 0, 200, 1, "assumption",
        "Documents indexed per second by each side's client."),
    "partition_at": param("s", 60, 10, 600, 5, "assumption",
        "When the racks lose each other."),
    "heal_at": param("s", 600, 20, 1800, 10, "assumption",
        "When the link comes back."),
    "end_at": param("s", 700, 30, 1800, 10, "assumption",
        "The last chapter."),
}

toggles = {
    "voting_configuration": {"default": False, "label": "Voting configurations (7.0)", "source": "es-7-voting",
                             "description": "Elasticsearch 7.0's cluster coordination: a master needs more than half of the voting configuration (the master-eligible nodes, made odd), fault detection is 3 x 10 s, and minimum_master_nodes is ignored."},
}

outcomes = [
    {"metric": "split_brain_s", "kind": "predicted", "value": 450, "tolerance": 60, "source": "seed-split-brain",
     "note": "The source document's example: with minimum_master_nodes 2 both sides elect a master, so two masters coexist from Zen's fault detection (3 x 30 s after the partition) plus a discovery round until the heal at 600 s: about 600 - 60 - 93 = 447 s. Derived from the documented timeouts, not a measurement of a real cluster; no input was fitted to it."},
    {"metric": "groups_split", "kind": "predicted", "value": 1, "tolerance": 0, "source": "seed-split-brain",
     "note": "Two masters on the masters group (the source document: both groups elect a master with the setting at 2)."},
    {"metric": "lost_writes", "kind": "predicted", "value": 4500, "tolerance": 500, "source": "jepsen-es-2014",
     "note": "At the heal the side with the older cluster state rejoins the other and its shard copies recover from the winner's primaries, losing what that side acknowledged during the split (Jepsen saw acknowledged documents lost this way): about its client's 10 documents/s over the ~450 s of split brain (derived)."},
]

challenges = [
    {"title": "One master at most", "description": "Keep split-brain time at zero while side B keeps taking writes.",
     "goals": [{"metric": "split_brain_s", "at_most": 0}, {"metric": "success_rate_pct", "at_least": 50}]},
    {"title": "Lose no acknowledged document", "description": "No document a client was told is indexed may be lost at the heal.",
     "goals": [{"metric": "lost_writes", "at_most": 0}]},
]

scenario = scenario_document(
    meta={
        "title": "Elasticsearch: minimum_master_nodes and a split brain",
        "date": "2019-04-10",
        "summary": "Five master-eligible nodes split 2 | 3: with minimum_master_nodes at 2 both sides elect a master, and the heal throws away one side's documents; at 3, or with 7.0's voting configurations, only the larger side does.",
        "start": "2019-04-10T12:00:00Z",
        "time_zone": "UTC",
        "duration": "700s",
        "sources": SOURCES,
    },
    parameters=parameters,
    toggles=toggles,
    planes=["cluster", "data"],
    devices=[{"name": "switch", "label": "inter-rack switch"}],
    nodes=nodes,
    links=links,
    timeline=timeline,
    outcomes=outcomes,
    challenges=challenges,
    invariants=[
        {"check": "single_leader_per_term", "when": "$voting_configuration",
         "note": "Voting configurations: a master needs the votes of a majority of the voting configuration, one vote per node per term, so no term has two masters."},
    ],
    limits={"events_max": 5000000, "bucket": "5s"},
)

write_scenario("scenarios/elasticsearch-split-brain.json", scenario, ensure_ascii=True)
