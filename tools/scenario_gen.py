"""What the scenario generators in tools/ share: parameter entries, a client
node, the document's key order and how the file is written.

Each generator (tools/gen-*.py) builds one scenario file that is too regular
to keep by hand; importing this module keeps them writing the same shapes the
same way. Run the generators from the repository root."""

import json

# A generator runs as a script (python3 tools/gen-x.py), so its own folder is on
# sys.path and `from scenario_gen import ...` finds this file.


def param(unit, default, lo, hi, step, source, description):
    """A parameter entry: unit, default, slider range (lo..hi by step), its source."""
    return {"unit": unit, "default": default, "min": lo, "max": hi, "step": step, "source": source,
            "description": description}


def client_node(name, label, x, y, targets, timeout, retries=2, rate="$client_rate", plane="data"):
    """A client writing to `targets` at `rate`, giving up on a request after `timeout`."""
    return {"name": name, "label": label, "x": x, "y": y, "model": {"client": {
        "targets": targets, "plane": plane, "rate": rate, "writes": "100%",
        "timeout": timeout, "retries": retries}}}


def scenario_document(meta, parameters, toggles, planes, devices, nodes, links, timeline, outcomes, challenges,
                      invariants, limits):
    """The scenario in the key order every generated file uses."""
    return {"meta": meta, "parameters": parameters, "toggles": toggles, "planes": planes, "devices": devices,
            "nodes": nodes, "links": links, "timeline": timeline, "outcomes": outcomes, "challenges": challenges,
            "invariants": invariants, "limits": limits}


def write_scenario(path, scenario, ensure_ascii=False, final_newline=True):
    """Write the file as the playground and the tests read it (indent 1)."""
    with open(path, "w") as f:
        json.dump(scenario, f, indent=1, ensure_ascii=ensure_ascii)
        if final_newline:
            f.write("\n")
