#!/usr/bin/env python3
"""Writes scenarios/github-2012.json: 22 fileserver pairs are too many to keep
by hand. Facts and sources: /work/shared/incidents.md section 1 (fact sheet) and
the two Korean source documents. Run from the repository root: python3 tools/gen-github-2012.py"""

import json

PAIRS_MAX = 22
HOLMAN = "assumption: 22 pairs in Aug 2012 per notes of a Zach Holman talk (secondary with no URL on record - fact sheet 1b)"

def q(x):
    return x

meta = {
    "title": "GitHub, 22 December 2012: a switch upgrade, lost heartbeats, STONITH that fails",
    "date": "2012-12-22",
    "summary": "During an aggregation-switch upgrade a switch agent is killed and the network freezes for about 90 seconds; fileserver pairs declare their partners dead, promote and fence each other; in a number of pairs both nodes act as active, then both end up off, and the team repairs them pair by pair for hours.",
    "start": "2012-12-22T19:00:00Z",
    "time_zone": "America/Los_Angeles",
    "duration": "13h",
    "sources": [
        {"id": "github-blog", "title": "GitHub (Mark Imbriaco), \"Downtime last Saturday\", GitHub Blog, 2012-12-26 (only the opening was read for the fact sheet)", "url": "https://github.blog/2012-12-26-downtime-last-saturday/"},
        {"id": "postmortems-app", "title": "postmortems.app, entry for the GitHub.com outage of December 2012 (secondary; the site's home page, the entry's own address was not recorded)", "url": "https://postmortems.app/"},
        {"id": "kingsbury", "title": "Peter Bailis and Kyle Kingsbury, \"The Network is Reliable\", ACM Queue 12(7), 2014 (secondary)", "url": "https://queue.acm.org/detail.cfm?id=2655736"},
    ],
}

def param(unit, default, lo, hi, step, description, source):
    return {"unit": unit, "default": default, "min": lo, "max": hi, "step": step, "description": description, "source": source}

parameters = {
    "pairs": param("count", 22, 1, PAIRS_MAX, 1,
        "Fileserver pairs in the fleet. Each pair is one active and one passive node in different racks.", HOLMAN),
    "heartbeat_interval": param("s", 2, 0.5, 30, 0.5,
        "How often each fileserver's cluster manager heartbeats its partner. Not reported; chosen so the dead time spans two to three heartbeats.", "assumption"),
    "dead_time": param("s", 5, 1, 300, 1,
        "Silence after which a node declares its partner dead. The fact sheet marks the earlier list's 5 s as unverified; it is known only to be below the 90 s freeze (the nodes did time out). Longer than 90 s: the freeze causes no failover, and a real failure is taken over later.", "assumption: fact sheet 1d lists about 5 s as unverified"),
    "replication_timeout": param("s", 6, 0.5, 60, 0.5,
        "How long a write waits for the partner's replication ack before the active drops the connection and carries on alone (standalone). Not reported.", "assumption"),
    "fence_timeout": param("s", 20, 1, 120, 1,
        "How long one STONITH attempt waits for the fence device to confirm. The STONITH transport and its settings are not described anywhere read.", "assumption"),
    "fence_attempts": param("count", 3, 1, 10, 1,
        "Attempts per fence method before the next method (or, with one method, a new round) is tried.", "assumption"),
    "ipmi_delay": param("s", 2, 0, 30, 0.5,
        "Time from a fence request reaching a server's management controller (IPMI) to the power cut. Not reported.", "assumption"),
    "pdu_delay": param("s", 0.5, 0, 30, 0.5,
        "Time from a fence request reaching a switched PDU to the outlet switching off (second fencing method). Not reported.", "assumption"),
    "client_rate": param("per_s", 0.05, 0, 0.25, 0.05,
        "Pushes and fetches per second from each rack's frontends to one pair. A client node stands for many users; the rate is kept low so the replay stays fast.", "assumption"),
    "recovery_start": param("min", 90, 77, 300, 1,
        "When the site goes into maintenance, the ops team is paged and the switches are downgraded, counted from 19:00 UTC. The order is reported (maintenance mode, team paged, switches downgraded, then pair by pair); the times are not.", "assumption: order from postmortems-app"),
    "pair_check_time": param("min", 28, 0, 120, 1,
        "Per broken pair: boot what is off in isolation, read both nodes' logs and name the last primary. Chosen so that the fileserver recovery ends near the source document's 20:23 PST; the tier took more than five hours in all (postmortems-app; kingsbury).", "assumption: calibrated to the source document's end time"),
    "pair_resync_time": param("min", 4, 0, 120, 1,
        "Per broken pair: watch the block-level resync from the named primary before moving on.", "assumption"),
}

toggles = {
    "fence_before_promote": {"default": False, "label": "Promote only after confirmed fencing",
        "description": "A passive that declares its partner dead waits until a fence device confirms the partner is off before it takes over. No two actives, but a pair whose fencing cannot get through stays without a server.",
        "source": "assumption: model suggestion in the fact sheet (1f)"},
    "second_fence_method": {"default": False, "label": "Second fencing method (switched PDU)",
        "description": "After the IPMI attempts fail, fence through a switched PDU on its own power-control network that does not cross the aggregation switches.",
        "source": "assumption: the source document recommends combining fencing methods (fact sheet 1f)"},
    "maintenance_during_upgrade": {"default": False, "label": "Cluster maintenance mode during the switch work",
        "description": "The cluster managers ignore heartbeat loss for the announced network change (from the upgrade until the switches are downgraded): the freeze causes no failover and no fencing.",
        "source": "assumption: listed by the source document and postmortems-app as the follow-up (fact sheet 1f)"},
    "dedicated_cluster_network": {"default": False, "label": "Dedicated cluster network for heartbeats",
        "description": "Heartbeats (and the witness) use their own network that does not pass through the aggregation switches, so the freeze does not look like a dead partner.",
        "source": "assumption: the source document lists separating cluster traffic as a follow-up (fact sheet 1f)"},
    "quorum_witness": {"default": False, "label": "Quorum witness (third vote)",
        "description": "Each pair has a third vote in a witness. A node promotes or fences only with two of three votes; an active that hears neither its partner nor the witness stops serving. The witness sits behind the same switches as the heartbeats.",
        "source": "assumption: quorum as a general split-brain defence (fact sheet 4)"},
    "generation_check": {"default": False, "label": "Fencing tokens at the storage layer",
        "description": "Each promotion starts a new generation. A write needs the partner's acknowledgement under the writer's generation (or a confirmed fence), and a node that meets a newer generation stops serving and stops fencing: a stale active's writes are refused.",
        "source": "assumption: fencing by generation (fact sheet 4.4)"},
}

planes = ["data", "cluster", "replication", "mgmt", "power"]
devices = [
    {"name": "agg-1", "label": "aggregation switch 1 (MLAG)"},
    {"name": "agg-2", "label": "aggregation switch 2 (MLAG)"},
]
AGG = ["agg-1", "agg-2"]

def fs_spec(i, side):
    me, peer = f"fs{i:02d}{side}", f"fs{i:02d}{'b' if side == 'a' else 'a'}"
    other = 'b' if side == 'a' else 'a'
    return {"fileserver": {
        "group": f"pair{i:02d}", "peer": peer, "initially_active": side == "a",
        "heartbeat_interval": "$heartbeat_interval", "dead_time": "$dead_time",
        "heartbeat_plane": "cluster", "replication_plane": "replication", "data_plane": "data", "mgmt_plane": "mgmt",
        "replication_timeout": "$replication_timeout",
        "fence": [
            {"device": f"ipmi-{other}", "plane": "mgmt"},
            {"device": f"pdu-{other}", "plane": "power", "enabled": "$second_fence_method"},
        ],
        "fence_timeout": "$fence_timeout", "fence_attempts": "$fence_attempts",
        "promote_needs_fence": "$fence_before_promote",
        "witness": {"node": "witness", "plane": "cluster"}, "quorum": "$quorum_witness",
        "maintenance_in_change_window": "$maintenance_during_upgrade",
        "generation_check": "$generation_check",
    }}

nodes, links = [], []
fs_a = [f"fs{i:02d}a" for i in range(1, PAIRS_MAX + 1)]
fs_b = [f"fs{i:02d}b" for i in range(1, PAIRS_MAX + 1)]
fe_all = []
for i in range(1, PAIRS_MAX + 1):
    y = 0.06 + 0.88 * (i - 1) / (PAIRS_MAX - 1)
    on = True if i == 1 else f"$pairs>={i}"
    for side, x_fs, x_fe in (("a", 0.38, 0.2), ("b", 0.62, 0.8)):
        n = {"name": f"fs{i:02d}{side}", "label": f"fileserver {i} {side.upper()}", "x": x_fs, "y": round(y, 4), "model": fs_spec(i, side)}
        if on is not True:
            n["enabled"] = on
        nodes.append(n)
    for side, x_fe in (("a", 0.22), ("b", 0.78)):
        local, remote = (f"fs{i:02d}a", f"fs{i:02d}b") if side == "a" else (f"fs{i:02d}b", f"fs{i:02d}a")
        name = f"fe{i:02d}{side}"
        fe_all.append(name)
        n = {"name": name, "label": f"frontends, rack {side.upper()}, pair {i}", "x": x_fe, "y": round(y, 4), "model": {"client": {
            "targets": [local, remote], "plane": "data", "rate": "$client_rate", "writes": "50%",
            "timeout": "2s", "retries": 2}}}
        if on is not True:
            n["enabled"] = on
        nodes.append(n)
    a, b = f"fs{i:02d}a", f"fs{i:02d}b"
    links += [
        {"nodes": [a, b], "planes": ["cluster"], "latency": "300us", "jitter": "100us", "via": AGG, "enabled": "!$dedicated_cluster_network"},
        {"nodes": [a, b], "planes": ["cluster"], "latency": "300us", "jitter": "100us", "enabled": "$dedicated_cluster_network"},
        {"nodes": [a, b], "planes": ["replication"], "latency": "300us", "jitter": "100us", "via": AGG},
        {"nodes": [f"fe{i:02d}a", a], "planes": ["data"], "latency": "200us", "jitter": "100us"},
        {"nodes": [f"fe{i:02d}a", b], "planes": ["data"], "latency": "400us", "jitter": "100us", "via": AGG},
        {"nodes": [f"fe{i:02d}b", b], "planes": ["data"], "latency": "200us", "jitter": "100us"},
        {"nodes": [f"fe{i:02d}b", a], "planes": ["data"], "latency": "400us", "jitter": "100us", "via": AGG},
        {"nodes": [a, "ipmi-b"], "planes": ["mgmt"], "latency": "1ms", "via": AGG},
        {"nodes": [b, "ipmi-a"], "planes": ["mgmt"], "latency": "1ms", "via": AGG},
        {"nodes": [a, "pdu-b"], "planes": ["power"], "latency": "2ms"},
        {"nodes": [b, "pdu-a"], "planes": ["power"], "latency": "2ms"},
        {"nodes": [a, "witness"], "planes": ["cluster"], "latency": "500us", "via": AGG, "enabled": "!$dedicated_cluster_network"},
        {"nodes": [b, "witness"], "planes": ["cluster"], "latency": "500us", "via": AGG, "enabled": "!$dedicated_cluster_network"},
        {"nodes": [a, "witness"], "planes": ["cluster"], "latency": "500us", "enabled": "$dedicated_cluster_network"},
        {"nodes": [b, "witness"], "planes": ["cluster"], "latency": "500us", "enabled": "$dedicated_cluster_network"},
        {"nodes": ["ops", a], "planes": ["mgmt"], "latency": "1ms", "via": AGG},
        {"nodes": ["ops", b], "planes": ["mgmt"], "latency": "1ms", "via": AGG},
        {"nodes": ["ops", f"fe{i:02d}a"], "planes": ["mgmt"], "latency": "1ms", "via": AGG},
        {"nodes": ["ops", f"fe{i:02d}b"], "planes": ["mgmt"], "latency": "1ms", "via": AGG},
    ]

pairs_list = [[f"fs{i:02d}a", f"fs{i:02d}b"] for i in range(1, PAIRS_MAX + 1)]
nodes += [
    {"name": "ipmi-a", "label": "IPMI controllers, rack row A", "x": 0.46, "y": 0.99, "model": {"fence_device": {"targets": fs_a, "action_delay": "$ipmi_delay", "plane": "mgmt"}}},
    {"name": "ipmi-b", "label": "IPMI controllers, rack row B", "x": 0.54, "y": 0.99, "model": {"fence_device": {"targets": fs_b, "action_delay": "$ipmi_delay", "plane": "mgmt"}}},
    {"name": "pdu-a", "label": "switched PDUs, rack row A", "x": 0.05, "y": 0.99, "model": {"fence_device": {"targets": fs_a, "action_delay": "$pdu_delay", "plane": "power"}}},
    {"name": "pdu-b", "label": "switched PDUs, rack row B", "x": 0.95, "y": 0.99, "model": {"fence_device": {"targets": fs_b, "action_delay": "$pdu_delay", "plane": "power"}}},
    {"name": "witness", "label": "quorum witness", "x": 0.5, "y": 0.0, "model": {"witness": {"pairs": pairs_list, "plane": "cluster", "dead_time": "$dead_time"}}},
    {"name": "ops", "label": "ops team and site maintenance switch", "x": 0.5, "y": 0.5, "model": {"ops_team": {
        "pairs": pairs_list, "plane": "mgmt", "clients": fe_all, "client_plane": "mgmt", "site_group": "site",
        "survey_time": "10min", "check_time": "$pair_check_time", "resync_time": "$pair_resync_time"}}},
]

ALL_FS = [n for pair in pairs_list for n in pair]

# What each chapter opens with: what happens now and why it matters, in plain
# words (facts from the fact sheet, section 1). The research notes passed to
# step() become the chapter's details line, with the sources.
STORY = {
    "Aggregation-switch upgrade": "Saturday, 11:00 PST: GitHub upgrades the software of its two aggregation switches, one at a time. Its fileservers run in pairs, an active and a passive copy, and the partners watch each other across these switches.",
    "Instability after the upgrade": "Right after the upgrade the switches are unstable for 20 to 30 minutes. The team decides to roll back if it happens again.",
    "The switches settle": "The instability stops after about 25 minutes, and everything looks normal again.",
    "A switch agent is killed: the network freezes": "12:15 PST: a software agent on one aggregation switch is killed, and traffic between racks stops for about 90 seconds while every link still looks up. The fileservers stop hearing their partners.",
    "Traffic flows again": "The network comes back, too late: servers have declared their partners dead, taken over and tried to power them off. In a number of pairs both servers now act as the active one: split brain.",
    "Clusters into maintenance mode": "The cluster managers are told to stop acting on their own, so they cannot make things worse while people work.",
    "Site into maintenance; team paged": "GitHub.com goes into maintenance mode and the whole operations team is paged. They repair the pairs one by one: find the server that held the latest data, then resync its partner from it.",
    "Aggregation switches downgraded": "At the same moment (the record gives no times for these steps) the switches go back to their previous software: the network part is over.",
    "End of impact, as the source document dates it": "20:23 PST: the impact ends, 9 hours 23 minutes after it began. Restoring the fileservers alone took more than five hours.",
}

def step(at, title, action, narration, source):
    return {"at": at, "title": title, "action": action, "narration": STORY[title], "details": narration, "source": source}

timeline = [
    step("0s", "Aggregation-switch upgrade", {"command": {"nodes": ALL_FS, "command": "network_change_begin"}},
         "Saturday, 11:00 PST. GitHub upgrades the software of its aggregation switches in a planned window, as the vendor recommended: in service, one switch at a time, with the vendor on the phone. The two aggregation switches run MLAG, so to the access switches below them they look like one switch. The fileservers run as active/passive pairs under Pacemaker and Heartbeat, replicate every block with DRBD, and fence each other with STONITH; the two nodes of a pair sit in different racks. The source document dates the start of the impact to 11:00 PST. (The announced change is passed to the cluster managers; only with the maintenance toggle do they act on it.)",
         "github-blog; postmortems-app; assumption: the 11:00 PST start is the source document's (fact sheet 1c) and no source's"),
    step("0s", "Instability after the upgrade", {"device_fault": {"device": "agg-1", "drop": "20%", "planes": ["data"], "carrier_up": True}},
         "Right after the upgrade the switch pair is unstable for 20 to 30 minutes, and the team decides to roll back if it happens again. What the instability looked like is not reported; here it is 20% packet loss on client traffic through the aggregation switches (an assumption). Heartbeats are left alone because no fileserver failed over before 12:15 PST.",
         "postmortems-app; assumption: form and size of the instability"),
    step("25min", "The switches settle", {"device_heal": {"device": "agg-1"}},
         "The instability stops after about 25 minutes (the middle of the reported 20 to 30).", "postmortems-app"),
    step("75min", "A switch agent is killed: the network freezes", {"device_fault": {"device": "agg-2", "drop": "100%", "carrier_up": True}},
         "12:15 PST. While the team gathers data for the vendor, a software agent on one aggregation switch is terminated. The agent cannot take its links down in time: its MLAG heartbeat stops while every link stays up. The peer switch sees heartbeat lost but link up and takes the disruptive failover path instead of the graceful one. Aggregated links are rebuilt and spanning tree re-elects and reconverges: traffic between access switches is blocked for about 90 seconds. A gray failure: no link goes down, traffic just stops. Cluster heartbeats and DRBD replication cross these switches (implied by the summaries). How STONITH reached the nodes is not described anywhere read; here it is IPMI on a management network that crosses the same switches (an assumption). Traffic inside a rack still flows.",
         "postmortems-app; kingsbury; assumption: STONITH over IPMI on the management network (unverified)"),
    step("76min30s", "Traffic flows again", {"device_heal": {"device": "agg-2"}},
         "After about 90 seconds the network has reconverged. By now the fileservers have passed their heartbeat timeouts: each node declared its partner dead, fired STONITH at it and, if passive, took over. Some of the fence commands were not delivered (the sources say \"some\"; in the model every request sent through the frozen switches is lost). In a number of pairs both nodes act as active (in the model it is every pair: a model result, not a reported count). The model's frontends write to the node in their own rack, so a split pair's two copies diverge (an assumption: the sources do not describe the writes during the split). Then the next fence attempts get through and the pairs race: when both requests reach the management controllers before either power cut, both nodes are stopped. How many pairs ended with both nodes off is not reported anywhere read (unverified); here it is whatever the race gives.",
         "postmortems-app; kingsbury"),
    step("$recovery_start", "Clusters into maintenance mode", {"command": {"nodes": ALL_FS, "command": "maintenance_on"}},
         "The cluster managers are put into maintenance mode so they stop acting on their own while the team works (an assumption: the record mentions the site's maintenance mode, not the clusters').",
         "assumption"),
    step("$recovery_start", "Aggregation switches downgraded", {"command": {"nodes": ALL_FS, "command": "network_change_end"}},
         "The aggregation switches are downgraded to their previous software: the network work is over. (Reported together with the maintenance mode and the paging; no time is reported for any of the three, so here they happen at one moment, the paging last: its repair work is what the next hours are.)",
         "postmortems-app; assumption: time"),
    step("$recovery_start", "Site into maintenance; team paged", {"command": {"nodes": ["ops"], "command": "recover"}},
         "GitHub.com is put into maintenance mode and the whole operations team is paged. The team surveys every pair: pairs with no server running come first, then pairs with two actives, then pairs that lost one node. For each: boot what is off in isolation, read both nodes' logs, name the node that was primary last, resync the other from it, move on. Every broken pair takes the same care, so the recovery grows with the number of broken pairs. The times of these steps are not reported.",
         "postmortems-app; kingsbury; assumption: step times"),
    step("563min", "End of impact, as the source document dates it", "note",
         "20:23 PST: the source document gives this as the end of the impact, 9 hours 23 minutes after it began (no source read confirms it). Restoring the fileserver tier alone took more than five hours (postmortems-app; kingsbury).",
         "assumption: the 20:23 PST end is the source document's (fact sheet 1c) and no source's; postmortems-app; kingsbury"),
]

outcomes = [
    {"metric": "impact_s", "kind": "fitted", "value": 33780, "tolerance": 7200, "source": "assumption: source document 11:00-20:23 PST = 9 h 23 min",
     "note": "From the first failed request or broken pair to the last. Tolerance 2 h: the repair time per pair is calibrated to this figure, and how many pairs end with both nodes off is not reported; over seeds 1 to 10 the model loses both nodes of 12 to 20 pairs, each adding 32 min of repair (impact 29100 to 44500 s, median 33912 s; `incident-replay run scenarios/github-2012.json --seeds 10`)."},
    {"metric": "degraded_s", "kind": "fitted", "value": 29280, "tolerance": 7200, "source": "postmortems-app; assumption: source document end 20:23 PST",
     "note": "Time any pair (or the site) was split or unavailable: from the freeze at 12:15 PST to the source document's 20:23 PST (derived: 8 h 8 min). The fileserver recovery alone took more than five hours. Tolerance 2 h (see impact_s); seeds 1 to 10 give 24597 to 39996 s."},
    {"metric": "groups_all_down", "kind": "predicted", "value": 11, "tolerance": 10, "source": "postmortems-app; kingsbury",
     "note": "Pairs (of 22) left with both nodes off. The sources say only \"a number of\" pairs, so this checks that some but not all pairs lose both nodes (1 to 21); the count itself is a model result, not a fact. No input was fitted to it: it comes from the fence race after the freeze. Seeds 1 to 10: 12 to 20."},
    {"metric": "split_brain_s", "kind": "predicted", "value": 90, "tolerance": 30, "source": "postmortems-app; kingsbury",
     "note": "Longest time a pair had two actives. The record's sequence: nodes take over during the ~90 s freeze, and once traffic returns the next fence attempts land on both nodes. So two actives should last about the freeze (60 to 120 s), not minutes. Not fitted: dead time, fence timeout and IPMI delay are assumptions set before this check. Seeds 1 to 10: 102 s."},
]

scenario = {
    "meta": meta, "parameters": parameters, "toggles": toggles, "planes": planes, "devices": devices,
    "nodes": nodes, "links": links, "timeline": timeline, "outcomes": outcomes,
    "invariants": [
        {"check": "single_writer", "when": "$fence_before_promote",
         "note": "STONITH before promotion: a candidate serves only after a fence device confirms the old active is off."},
    ],
    "limits": {"events_max": 6000000, "bucket": "30s", "messages_recorded_max": 600000},
}

with open("scenarios/github-2012.json", "w") as f:
    json.dump(scenario, f, indent=1, ensure_ascii=False)
    f.write("\n")
