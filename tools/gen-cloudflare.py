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
        "term_gauge": "etcd_term", "elections_gauge": f"{n}_elections"}}

def pg(primary=False):
    return {"db_member": {"group": "auth-db", "plane": "db", "initially_primary": primary,
        "capacity": "$db_capacity", "queue_max": "$db_queue_max", "data_size": "$db_data_size",
        "copy_bandwidth": "$db_copy_bandwidth", "resync_time": "$db_resync_time"}}

def client(name, label, targets, writes, x, y):
    return {"name": name, "label": label, "x": x, "y": y, "model": {"client": {
        "targets": targets, "plane": "db", "rate": "$api_rate", "writes": writes,
        "timeout": "$api_timeout", "retries": "$api_retries",
        "backoff": {"enabled": "$client_backoff", "base": "200ms", "cap": "20s"}}}}

sources = [
 {"id": "cloudflare-blog", "title": "Cloudflare (Tom Lianza, Chris Snook), A Byzantine failure in the real world, 2020-11-27", "url": "https://blog.cloudflare.com/a-byzantine-failure-in-the-real-world/"},
 {"id": "postmortems-app", "title": "postmortems.app, entry for the Cloudflare outage of 2020-11-02 (secondary; the site's home page, the entry's own address was not recorded)", "url": "https://postmortems.app"},
 {"id": "quotes", "title": "Cloudflare, A Byzantine failure in the real world (2020-11-27): the passages that third-party notes quote (fact sheet source 23); the link is the primary post they quote", "url": "https://blog.cloudflare.com/a-byzantine-failure-in-the-real-world/"},
 {"id": "etcd-tuning", "title": "etcd, Tuning (heartbeat interval and election timeout defaults)", "url": "https://etcd.io/docs/v3.5/tuning/"},
 {"id": "etcd-server", "title": "etcd-io/etcd, etcdserver raft.go (raft.Config: CheckQuorum always true, PreVote from --pre-vote) and CHANGELOG-3.4 / 3.5 (--pre-vote added in 3.4, default true from 3.5)", "url": "https://github.com/etcd-io/etcd"},
 {"id": "etcd-raft", "title": "etcd-io/raft, raft.go (Config comments, Step: PreVote, CheckQuorum, election timeout in [T, 2T-1] ticks)", "url": "https://github.com/etcd-io/raft"},
 {"id": "raft-thesis", "title": "Diego Ongaro, Consensus: Bridging Theory and Practice, Stanford 2014, §4.2.3, §6.2, §9.6", "url": "https://github.com/ongardie/dissertation"},
 {"id": "patroni-docs", "title": "Patroni docs: dynamic configuration (ttl 30 s, loop_wait 10 s), used as an analogue", "url": "https://patroni.readthedocs.io/en/latest/dynamic_configuration.html"},
]

P = {}
def param(name, unit, default, mn, mx, step, desc, src):
    P[name] = {"unit": unit, "default": default, "min": mn, "max": mx, "step": step, "description": desc, "source": src}

param("switch_drop", "%", 90, 0, 100, 1, "Share of packets the half-broken switch drops on the paths it breaks: node 1 to and from node 3, and node 2 to node 1 (node 1 to node 2 gets through). The post says the data plane forwarded only some packets; the share and the directions are not published (assumption; see the narration at 14:43).", "assumption")
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
 "raft_prevote": {"default": False, "label": "Raft PreVote", "description": "etcd raft PreVote: a node first asks whether it could win, and raises its term only if a majority says yes. etcd's server has it behind --pre-vote, off by default until etcd 3.5 (2021); that Cloudflare ran a stock etcd 3.4 is an assumption. With CheckQuorum (on, as etcd always sets it) node 2, hearing leader 3, refuses node 1's pre-votes and no term ever rises: node 3 stays leader and nothing fails over. Turned on with CheckQuorum off it mostly helps here too, because node 1's log lags and node 2 refuses it on the log check; but whenever node 1 has caught up node 2 grants (no lease without CheckQuorum), so some seeds still fail over.", "source": "etcd-server"},
 "raft_check_quorum": {"default": True, "label": "Raft CheckQuorum", "description": "etcd raft CheckQuorum: a leader steps down without a majority, and a follower that heard its leader within an election timeout ignores vote requests (the follower lease). etcd's server always sets it (it is not a flag); Cloudflare running stock etcd is an assumption. Historically it makes node 2 ignore node 1 while it hears node 3, but node 1 inflates its term alone and, each time one of node 3's heartbeats reaches it, answers with its higher term and deposes node 3. Off (a what-if for Raft libraries): node 1's vote requests reach node 2 directly and keep knocking it out of node 3's term; the churn is as bad.", "source": "etcd-server"},
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

# What each chapter opens with: what happens now and why it matters, in plain
# words (facts from the fact sheet). The research notes passed to step() become
# the chapter's details line, with the sources.
STORY = {
    "A quiet Monday afternoon": "Cloudflare's control plane, its API and dashboard, keeps its critical state in a three-node etcd cluster; node 3 leads. A database manager uses etcd to vouch that the authentication database's primary is healthy.",
    "A switch half-fails": "14:43 UTC: a switch in node 1's rack half-fails. Every link still looks healthy, but only some packets get through: node 1 loses its path to node 3, while both still reach node 2.",
    "Node 1 campaigns, node 2 backs node 3": "Node 1 hears nothing from the leader and keeps calling elections with ever higher terms. Whenever its higher term reaches node 3, the leader steps down, and etcd takes no writes until a new one is elected.",
    "A database failover nobody needed": "The manager cannot write to etcd, so after 30 seconds it stops vouching for the database primary, which is perfectly healthy. It promotes a replica: a failover nobody needed.",
    "No stable leader": "For six minutes leaders come and go: each lasts seconds before node 1 deposes it. The manager's writes to etcd fail for 40 seconds to over two minutes at a stretch, longer than its 30-second lease.",
    "The switch recovers": "About six minutes after it began, the switch recovers by itself, and etcd settles.",
    "Full rebuilds": "A defect makes every other database member rebuild from scratch instead of catching up. The new primary carries all the load alone: API requests fail and the dashboard slows down.",
    "Shedding load": "Over the following hours the team sheds non-critical load and sends API reads to replicas in the secondary data centre.",
    "The first replica is back": "21:20 UTC: the first replica finishes its rebuild and performance returns to normal, about six and a half hours after the switch failed.",
    "End": "End of the replay. The toggles show what would have kept the database where it was.",
}

def step(at, title, action, narration, source):
    return {"at": at, "title": title, "action": action, "narration": STORY[title], "details": narration, "source": source}

timeline = [
 step("0s", "A quiet Monday afternoon", "note",
  "Cloudflare's control plane (API and dashboard) runs on many microservices in two regions; the edge is not part of this story and kept working. A three-node etcd cluster stores strongly consistent state: node 3 leads, node 1 sits in a rack whose switch is about to fail. A database cluster manager vouches for the authentication database's primary through etcd: every 10 s it checks the primary and writes its health to etcd (the manager's real design and settings are not published; Patroni's loop_wait 10 s and ttl 30 s are used as an analogue). Three API client nodes, each standing for many users, read and write sessions on the three database members.",
  "cloudflare-blog"),
 step("3min", "A switch half-fails", {"device_fault": {"device": "rack-switch", "drop": "$switch_drop", "pairs": [["etcd3", "etcd1"], ["etcd1", "etcd3"], ["etcd2", "etcd1"]], "both_ways": False, "carrier_up": True}},
  "14:43 UTC: a switch in node 1's rack starts misbehaving. Its control-plane protocols (LACP, BGP) stay up, so every link looks healthy and nothing fails over, but its data plane forwards only some packets. The quotes of the post say node 1 lost its path to node 3 while both still reached node 2. Every packet to or from node 1 crosses that rack's switch pair, and which flows hit the broken switch is not published. This replay assumes 90% of node 1's traffic with node 3 is lost both ways, and 90% of what node 2 sends to node 1, while node 1's packets to node 2 get through. Why: measured in this model, if node 2 could reach node 1 as well, node 2 would win an election within seconds (it can reach everyone and node 1's log lags) and the churn would end; the record is six minutes without a stable leader.",
  "quotes;assumption: the share and the directions of the drop"),
 step("3min5s", "Node 1 campaigns, node 2 backs node 3", "note",
  "Node 1 hears almost nothing: it times out every one to two seconds and calls an election with a higher term, votes for itself and never hears an answer. etcd's server always runs Raft with CheckQuorum, so node 2, which hears leader 3's heartbeats, ignores node 1's requests (the follower lease); PreVote was off by default in etcd 3.4 (Cloudflare's version and flags are not published: assumption). Node 1's term climbs alone. When one of node 3's heartbeats gets through, node 1 answers with its higher term; when that answer gets through, node 3 steps down. Node 2's lease runs out, node 3 campaigns at the higher term and node 2 votes for it again (node 1's log is behind, so node 2 would never vote for node 1). Node 3 leads for seconds, is deposed again, and so on. While no leader is in place etcd takes no writes: reads still work (serializable), hence read-only.",
  "quotes;etcd-server;etcd-raft;assumption: stock etcd 3.4 settings"),
 step("4min15s", "A database failover nobody needed", "note",
  "The manager's writes to etcd keep failing: a write sent while there is no leader, or to a node that is not the leader, is refused, and a leader change drops the write in flight. The manager tries one etcd member per 10 s round and moves to the next after a refusal, so while leadership moves between nodes 3 and 2 its tries keep missing the leader (assumption: real etcd followers forward a write to their leader; with a manager that retries the next member at once the longest write gap is 20-50 s and only 6 of 10 seeds fail over). After more than the 30 s lease without a successful write the manager no longer vouches for the perfectly healthy primary, and the first write that goes through records the promotion of a replica (in the default run at 14:45:33; over seeds 1-10 between 14:43:36 and 14:46:02). It promotes only a replica that answers its health checks; once the others are rebuilding there is nobody left to promote, so it fails over once. Two clusters were promoted this way, one of them the authentication database; this replay models that one [secondary: postmortems.app].",
  "postmortems-app;assumption: manager design (Patroni-like) and its one member per round"),
 step("5min", "No stable leader", "note",
  "The deposing and re-electing goes on until the switch recovers: in the default run etcd elects a leader 33 times in the six minutes, node 3 leading 85% of the time there is one and node 1 never, with 65 s in all without any leader and the manager's writes failing for up to 70 s at a stretch (seeds 1-10: 27 to 45 elections won, 45 to 109 s without a leader, longest write failures 40 to 140 s). The record says no leader for about six minutes; in this model there are leaders, just none that lasts: each is deposed within seconds, which a client of etcd sees as long stretches of failing writes. Why the model stops short of six minutes: after each deposition node 2's lease lapses within a second, node 3 campaigns at node 1's term and node 2 votes it back in, so no stretch without a leader lasts longer than a few seconds; only the run of depositions is long. Making the switch's loss look like TCP (lost packets retransmitted rather than lost) was tried and makes etcd more stable, not less (see docs/cloudflare-2020.md).",
  "quotes;assumption: the model's measured figures"),
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
  "21:20 UTC: the first replica finishes its rebuild and performance returns to normal [secondary: postmortems.app]. The post gives the total API and dashboard impact as 6 h 33 min [verified]; from 14:43 that ends at 21:16, while 14:43 to 21:20 would be 6 h 37 min; clock times are ± minutes. Try the toggles: PreVote (with the CheckQuorum etcd always sets) keeps node 3 in charge and nothing fails over; a longer election timeout mostly rides out the lossy link; a promotion delay longer than the outage or waiting for a stable etcd stops the failover though etcd churns as before; an incremental resync keeps the replicas and shrinks the impact from hours to minutes.",
  "cloudflare-blog"),
 step("7h", "End", "end", "End of the replay.", "assumption"),
]

outcomes = [
 {"metric": "etcd_write_gap_s_max", "kind": "predicted", "value": 85, "tolerance": 55, "source": "quotes;assumption: the band is what this model's etcd mechanism predicts (the record says about six minutes)", "note": "Longest stretch in which none of the manager's etcd writes went through. The mechanism (node 1 deposing each leader with its higher term, node 2 voting node 3 back in) predicts 40-140 s over seeds 1-10: always past the manager's 30 s lease (else no promotion), but short of the record's about six minutes without a leader, because a leader is re-elected within seconds of each deposition. Measured: incident-replay run scenarios/cloudflare-2020.json --seeds 10."},
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
