#!/usr/bin/env python3
"""Writes scenarios/cloudflare-2020.json (kept as a generator so the repeated
node blocks stay consistent; the JSON file is the source of truth for the app)."""
import json, sys, os

E = ["etcd1", "etcd2", "etcd3"]
DB = ["auth1", "auth2", "auth3"]
S = lambda v: v  # readability

def raft(n):
    return {"raft": {"group": "etcd", "peers": [m for m in E if m != n], "plane": "control",
        "heartbeat_interval": "$etcd_heartbeat", "election_timeout_min": "$etcd_election_timeout",
        "election_timeout_max": "$etcd_election_timeout_max",
        "pre_vote": "$raft_prevote", "check_quorum": "$raft_check_quorum", "initial_leader": "etcd3",
        "term_gauge": "etcd_term"}}

def pg(primary=False):
    return {"pg_node": {"group": "auth-db", "plane": "db", "initially_primary": primary,
        "capacity": "$db_capacity", "queue_max": "$db_queue_max", "data_size": "$db_data_size",
        "copy_bandwidth": "$db_copy_bandwidth", "resync_time": "$db_resync_time"}}

def client(name, label, targets, writes, x, y):
    return {"name": name, "label": label, "x": x, "y": y, "model": {"client": {
        "targets": targets, "plane": "db", "rate": "$api_rate", "writes": writes,
        "timeout": "$api_timeout", "retries": "$api_retries",
        "backoff": {"enabled": "$client_backoff", "base": "200ms", "cap": "20s"}}}}

sources = [
 {"id": "cloudflare-blog", "title": "Cloudflare (Tom Lianza, Chris Snook), A Byzantine failure in the real world, 2020-11-27", "url": "https://blog.cloudflare.com/a-byzantine-failure-in-the-real-world/"},
 {"id": "postmortems-app", "title": "postmortems.app entry for Cloudflare 2020-11-02", "url": "https://postmortems.app"},
 {"id": "quotes", "title": "Third-party notes quoting the Cloudflare post (fact sheet source 23)", "url": "https://blog.cloudflare.com/a-byzantine-failure-in-the-real-world/"},
 {"id": "etcd-tuning", "title": "etcd, Tuning (heartbeat interval and election timeout defaults)", "url": "https://etcd.io/docs/v3.5/tuning/"},
 {"id": "etcd-raft", "title": "etcd-io/raft, raft.go (Config comments, Step: PreVote, CheckQuorum, election timeout in [T, 2T-1] ticks)", "url": "https://github.com/etcd-io/raft"},
 {"id": "raft-thesis", "title": "Diego Ongaro, Consensus: Bridging Theory and Practice, Stanford 2014, §4.2.3, §6.2, §9.6", "url": "https://github.com/ongardie/dissertation"},
 {"id": "patroni-docs", "title": "Patroni docs: dynamic configuration (ttl 30 s, loop_wait 10 s), used as an analogue", "url": "https://patroni.readthedocs.io/en/latest/dynamic_configuration.html"},
]

P = {}
def param(name, unit, default, mn, mx, step, desc, src):
    P[name] = {"unit": unit, "default": default, "min": mn, "max": mx, "step": step, "description": desc, "source": src}

param("switch_drop", "%", 90, 0, 100, 1, "Share of packets between etcd nodes 1 and 3 the half-broken switch drops. The post says the data plane forwarded only some packets; the share is not published (assumption).", "assumption")
param("etcd_heartbeat", "ms", 100, 50, 2000, 10, "etcd leader heartbeat interval (etcd default; Cloudflare's settings are unpublished).", "etcd-tuning")
param("etcd_election_timeout", "ms", 1000, 100, 20000, 50, "etcd election timeout T (default). Each node draws its timeout in [T, 2T-1] ticks.", "etcd-tuning")
param("etcd_election_timeout_max", "ms", 1900, 100, 40000, 50, "Upper end of the randomised timeout: 2T-1 ticks of 100 ms with the defaults.", "etcd-raft")
param("lease_renew_interval", "s", 10, 1, 120, 1, "How often the database manager checks the primary and writes its health to etcd. Unpublished; Patroni's loop_wait (10 s) used as an analogue (assumption).", "patroni-docs")
param("lease_ttl", "s", 30, 2, 600, 1, "How long the manager may go without a successful etcd write before it no longer vouches for the primary. Unpublished; Patroni's ttl (30 s) used as an analogue (assumption).", "patroni-docs")
param("promotion_delay", "s", 0, 0, 3600, 10, "Hysteresis: extra time the primary's lease must stay expired before the manager fails over. 0 historically (assumption); a later remediation was about promotion timing.", "postmortems-app")
param("stable_window", "s", 60, 0, 1800, 10, "With 'wait for a stable etcd', how long etcd must take writes before the manager acts on an expired lease (assumption).", "assumption")
param("db_capacity", "per_s", 2.25, 0.5, 100, 0.05, "Requests per second one auth-database member serves, in the scaled units of the API clients (each client node sends 1 request per second and stands for many users). Unpublished; inferred from the reported 75% minimum success: one member alone serves about three quarters of the load of three (assumption).", "assumption")
param("db_queue_max", "s", 2, 0, 60, 0.5, "Longest a request may queue at a member before it is refused (assumption).", "assumption")
param("db_data_size", "GB", 2300, 1, 100000, 10, "Size of the auth database a full rebuild copies. Unpublished: chosen with the copy bandwidth so the first rebuild ends near the reported 21:20 (assumption).", "assumption")
param("db_copy_bandwidth", "MB/s", 100, 1, 10000, 1, "Copy rate of a full rebuild from the new primary (assumption).", "assumption")
param("db_resync_time", "s", 60, 0, 3600, 10, "Time an incremental resync takes when the rebuild defect is fixed (assumption).", "assumption")
param("api_rate", "per_s", 1, 0, 20, 1, "Requests per second from each API client node; one node stands for many users (scaled, assumption).", "assumption")
param("api_timeout", "s", 5, 0.1, 60, 0.1, "API client time-out per attempt (assumption).", "assumption")
param("api_retries", "count", 3, 0, 10, 1, "Retries after the first attempt (assumption).", "assumption")

T = {
 "raft_prevote": {"default": False, "label": "Raft PreVote", "description": "etcd raft PreVote: a node asks whether it could win before raising its term. Whether Cloudflare ran it is not stated [unverified]. Alone it does not stop the churn in this link picture, it prolongs it: node 2 still grants node 1's pre-vote when their logs are equal (there is no leader-recency test without CheckQuorum), and because failed pre-votes no longer raise node 2's term, node 2 never times out and never breaks the tie.", "source": "etcd-raft"},
 "raft_check_quorum": {"default": False, "label": "Raft CheckQuorum", "description": "etcd raft CheckQuorum: a leader steps down without a majority, and a follower that heard its leader within an election timeout ignores vote requests (the follower lease). Whether Cloudflare ran it is not stated [unverified]. Alone it stops node 2 from backing node 1, so leader changes drop, but node 1 inflates its term in isolation and, when one of its packets gets through, forces leader 3 to step down: longer leaderless stretches. With PreVote as well, node 1's pre-votes are refused and never raise a term: no churn at all.", "source": "etcd-raft"},
 "wait_stable_etcd": {"default": False, "label": "Manager waits for a stable etcd", "description": "The database manager does not act on an expired lease until etcd has taken writes for the stable window; by then the healthy primary's lease is renewed, so an etcd outage alone never promotes.", "source": "postmortems-app"},
 "full_rebuild_defect": {"default": True, "label": "Promotion forces full rebuilds (the defect)", "description": "Historically a promotion made every other member rebuild from scratch. Off: members resync incrementally and keep serving reads after a short resync.", "source": "postmortems-app"},
 "client_backoff": {"default": False, "label": "Client retries with backoff and jitter", "description": "API clients wait an exponentially growing random time (200 ms base, 20 s cap) before a retry instead of retrying at once (assumption: the post does not describe client retry policy).", "source": "assumption"},
}

nodes = []
xs = {"etcd1": (0.18, 0.2), "etcd2": (0.38, 0.1), "etcd3": (0.58, 0.2)}
for n in E:
    nodes.append({"name": n, "label": {"etcd1": "etcd node 1 (bad rack)", "etcd2": "etcd node 2", "etcd3": "etcd node 3 (leader)"}[n],
                  "x": xs[n][0], "y": xs[n][1], "model": raft(n)})
nodes.append({"name": "dbm", "label": "database cluster manager", "x": 0.82, "y": 0.2, "model": {"db_manager": {
    "etcd": ["etcd3", "etcd2", "etcd1"], "etcd_plane": "control", "members": DB, "db_plane": "db",
    "renew_interval": "$lease_renew_interval", "lease_ttl": "$lease_ttl", "promotion_delay": "$promotion_delay",
    "wait_stable_etcd": "$wait_stable_etcd", "stable_window": "$stable_window", "full_rebuild": "$full_rebuild_defect"}}})
for i, n in enumerate(DB):
    nodes.append({"name": n, "label": ["auth DB primary", "auth DB replica", "auth DB replica"][i],
                  "x": 0.3 + 0.2 * i, "y": 0.55, "model": pg(i == 0)})
nodes.append(client("api1", "API + dashboard (sessions, writes)", ["auth1", "auth2", "auth3"], "30%", 0.25, 0.88))
nodes.append(client("api2", "API reads A", ["auth2", "auth3", "auth1"], "0%", 0.5, 0.88))
nodes.append(client("api3", "API reads B", ["auth3", "auth2", "auth1"], "0%", 0.75, 0.88))

links = [
 {"nodes": E, "planes": ["control"], "latency": "500us", "jitter": "200us", "via": ["rack-switch"]},
 *[{"nodes": ["dbm", e], "planes": ["control"], "latency": "500us", "jitter": "200us", "via": ["core"]} for e in E],
 # The manager reaches each member; the members and the API clients share the
 # spec below (one link per pair and plane: a second spec for auth1-auth2 is refused).
 *[{"nodes": ["dbm", d], "planes": ["db"], "latency": "500us", "jitter": "200us", "via": ["core"]} for d in DB],
 {"nodes": ["api1", "api2", "api3"] + DB, "planes": ["db"], "latency": "1ms", "jitter": "500us", "via": ["core"]},
]

def step(at, title, action, narration, source):
    return {"at": at, "title": title, "action": action, "narration": narration, "source": source}

timeline = [
 step("0s", "A quiet Monday afternoon", "note",
  "Cloudflare's control plane (API and dashboard) runs on many microservices in two regions; the edge is not part of this story and kept working. A three-node etcd cluster stores strongly consistent state: node 3 leads, node 1 sits in a rack whose switch is about to fail. A database cluster manager vouches for the authentication database's primary through etcd: every 10 s it checks the primary and writes its health to etcd (the manager's real design and settings are not published; Patroni's loop_wait 10 s and ttl 30 s are used as an analogue). Three API client nodes, each standing for many users, read and write sessions on the three database members.",
  "cloudflare-blog"),
 step("3min", "A switch half-fails", {"device_fault": {"device": "rack-switch", "drop": "$switch_drop", "pairs": [["etcd1", "etcd3"]], "both_ways": True, "carrier_up": True}},
  "14:43 UTC: a switch in node 1's rack starts misbehaving. Its control-plane protocols (LACP, BGP) stay up, so every link looks healthy and nothing fails over, but its data plane forwards only some packets: traffic between etcd nodes 1 and 3 is mostly dropped while both still reach node 2. The share dropped is not published; 90% is an assumption. The link picture (1-3 broken, 1-2 and 2-3 healthy) is from quotes of the post and matches the project's seed document; one third-party blog puts the bad link between 1 and 2.",
  "quotes"),
 step("3min10s", "Leadership ping-pong", "note",
  "Node 1 loses ten heartbeats in a row, times out and calls an election with a higher term. Node 2's log is no newer, so it votes for node 1, which becomes leader; node 3 learns of the higher term and steps down. Now node 3 cannot hear the new leader, times out, and wins node 2's vote in turn. Leadership ping-pongs between 1 and 3 across the one lossy link (the liveness loss Howard's 2020 draft describes), terms climb, and every change drops in-flight writes. For a few seconds at a time two nodes believe they lead, in different terms: the deposed one only learns of the newer term when it hears it, and cannot commit meanwhile, so this split of beliefs loses no data (the outcome counts it as etcd split-brain time). The post describes node 1 repeatedly electing itself while node 2 kept backing node 3 and etcd going read-only [secondary: quotes of the post].",
  "quotes"),
 step("4min15s", "A database failover nobody needed", "note",
  "The manager's writes to etcd keep failing: each leader change drops the write in flight, and a deposed node refuses it. After more than the 30 s lease without a successful write the manager no longer vouches for the perfectly healthy primary, and the first write that goes through is the promotion of a replica (in the default run at 14:44:11). Two clusters were promoted this way, one of them the authentication database; this replay models that one [secondary: postmortems.app].",
  "postmortems-app"),
 step("4min20s", "etcd settles (sooner than it did)", "note",
  "In this replay node 2 eventually times out before nodes 1 and 3 and wins; it reaches both, so its leadership is stable. In the default run the ping-pong lasts about 70 s, with 18 leader changes; across seeds 1-10 it ranges from 1 to 21 changes and 3 of 10 runs lose the lease and fail over. The real cluster stayed without a stable leader for about six minutes: the model's churn is shorter than the record. With PreVote switched on, the model's ping-pong lasts the whole six minutes (node 2 keeps granting pre-votes and never times out itself), closer to the record; whether Cloudflare ran PreVote is not stated [unverified].",
  "quotes"),
 step("9min", "The switch recovers", {"device_heal": {"device": "rack-switch"}},
  "About six minutes after it began (≈14:49 UTC) the switch recovers by itself. The exact time is derived from the post's 'six minutes later'.",
  "quotes"),
 step("10min", "Full rebuilds", "note",
  "A defect makes every other member, the old primary included, rebuild from scratch from the new primary instead of resyncing. A rebuilding member serves nothing, so the new primary carries the whole authentication load alone: requests queue and the ones that would wait longer than 2 s are refused; clients retry. API success dips (as low as 75% reported) and responses slow (the dashboard up to 80 times). Database size and copy rate are unpublished; this replay assumes 2.3 TB at 100 MB/s, so a rebuild takes about 6.4 hours.",
  "postmortems-app"),
 step("2h", "Shedding load", "note",
  "Over the following hours the team sheds non-critical load and diverts API reads to replicas in the secondary data centre [secondary: postmortems.app]. This replay does not model those manual steps: every client keeps its load, so the modelled impact is the unmitigated one.",
  "postmortems-app"),
 step("6h40min", "The first replica is back", "note",
  "21:20 UTC: the first replica finishes its rebuild and performance returns to normal [secondary: postmortems.app]. The post gives the total API and dashboard impact as 6 h 33 min [verified]; from 14:43 that ends at 21:16, while 14:43 to 21:20 would be 6 h 37 min; clock times are ± minutes. Try the toggles: PreVote alone makes the ping-pong worse, CheckQuorum alone trades it for term inflation and leaderless stretches, both together keep node 3 in charge; a longer election timeout, a promotion delay, waiting for a stable etcd or an incremental resync each stop the cascade or shrink it.",
  "cloudflare-blog"),
 step("7h", "End", "end", "End of the replay.", "assumption"),
]

outcomes = [
 {"metric": "leader_changes", "kind": "predicted", "value": 30, "tolerance": 28, "source": "quotes", "note": "Repeated elections while the switch was half-broken: any count well above one fits."},
 {"metric": "success_rate_min_pct", "kind": "fitted", "value": 75, "tolerance": 10, "source": "cloudflare-blog", "note": "Lowest API success rate (5-minute buckets)."},
 {"metric": "request_impact_s", "kind": "fitted", "value": 23580, "tolerance": 1200, "source": "cloudflare-blog", "note": "6 h 33 min of API/dashboard impact, ± 20 min."},
 {"metric": "db_failovers_max", "kind": "predicted", "value": 1, "tolerance": 0, "source": "postmortems-app", "note": "The auth database was promoted once (two clusters were; one is modelled)."},
]

sc = {"meta": {"title": "Cloudflare 2020: a half-broken switch, etcd elections that never settle, a database cascade",
  "date": "2020-11-02",
  "summary": "A switch drops some packets between two etcd nodes; leadership ping-pongs; the database manager loses the primary's lease, fails over, and a defect rebuilds every replica for hours.",
  "start": "2020-11-02T14:40:00Z", "time_zone": "UTC", "duration": "7h", "sources": sources},
 "parameters": P, "toggles": T, "planes": ["control", "db"],
 "devices": [{"name": "rack-switch", "label": "switch pair, node 1's rack"}, {"name": "core", "label": "core network"}],
 "nodes": nodes, "links": links, "timeline": timeline, "outcomes": outcomes,
 "invariants": [
  {"check": "single_leader_per_term", "note": "Raft's election safety: a server votes once per term and a leader needs a majority; the database manager promotes one member per epoch."},
 ],
 "limits": {"events_max": 8000000, "bucket": "5min"}}
out = os.path.join(os.path.dirname(__file__), "..", "scenarios", "cloudflare-2020.json")
json.dump(sc, open(out, "w"), indent=1, ensure_ascii=False)
