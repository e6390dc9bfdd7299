//! Injected actions: faults and commands a viewer adds to a run (from the stage,
//! `--inject`, an actions file, the URL, or the chaos monkey). An injected action
//! is an ordinary timeline action at a time (`ActionSpec`), resolved by the same
//! code as the file's steps, so it meets the same checks (unknown node, time past
//! the end, link checks, the event budget); the run from zero with the actions
//! is as deterministic as any other run.
//!
//! Two forms: JSON (`{"at": "30s", "action": {"crash": {"node": "s1"}}}`, a list
//! of these in an actions file) and one line of text (`30s crash s1`) for the
//! command line and the URL. `to_text` writes the text form back; it covers
//! every action the stage and the monkey make (not a device fault's pair list).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::error::ScenarioError;
use super::format::{ActionSpec, CommandSpec, Quantity};

/// Most injected actions one run takes (a page, URL or file can ask for no more).
pub const INJECTED_MAX: usize = 10_000;

/// One injected action: what happens and when.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InjectedAction {
    /// Time since the start, e.g. `"11h30min"`.
    pub at: Quantity,
    pub action: ActionSpec,
}

/// The grammar of the text form, for error messages and `--help`.
pub const TEXT_FORMS: &str = "TIME crash|restart|power_off|power_on NODE; TIME pause NODE DURATION; \
TIME clock_skew NODE PPM; TIME clock_step NODE [-]DURATION; TIME cut|heal FROM TO [both] [planes=P,Q]; \
TIME netem FROM TO [both] [loss=5%] [delay=50ms] [planes=P,Q]; TIME partition|heal_partition A,B/C,D [planes=P,Q]; TIME heal_all; \
TIME device_fault DEVICE DROP [carrier_up] [both] [planes=P,Q]; TIME device_heal DEVICE; \
TIME command NODE[,NODE] NAME [ARG=VALUE ...]; TIME note; TIME end";

/// Parse an actions file: a JSON list of `{at, action}`. `file` names it in errors.
pub fn parse_file(file: &str, text: &str) -> Result<Vec<InjectedAction>, ScenarioError> {
    if text.len() > super::TEXT_BYTES_MAX {
        return Err(ScenarioError::new(file, "", format!("file is larger than {} bytes", super::TEXT_BYTES_MAX)));
    }
    let mut json = serde_json::Deserializer::from_str(text);
    let actions: Vec<InjectedAction> =
        serde_path_to_error::deserialize(&mut json).map_err(|e| ScenarioError::shape(file, e.path().to_string(), e.into_inner()))?;
    json.end().map_err(|e| ScenarioError::shape(file, String::new(), e))?;
    if let Some((path, key)) = super::duplicate_keys::find(text) {
        return Err(ScenarioError::new(file, path, format!("the key `{key}` appears twice in one object")));
    }
    check_count(file, actions.len())?;
    Ok(actions)
}

pub fn check_count(file: &str, count: usize) -> Result<(), ScenarioError> {
    if count > INJECTED_MAX {
        return Err(ScenarioError::new(file, "actions", format!("{count} injected actions; at most {INJECTED_MAX}")));
    }
    Ok(())
}

/// Text-form actions (`--inject`, the URL), each parsed; errors name `actions[i]`.
pub fn parse_lines(file: &str, lines: &[String]) -> Result<Vec<InjectedAction>, ScenarioError> {
    check_count(file, lines.len())?;
    lines.iter().enumerate().map(|(i, l)| parse_text(l).map_err(|r| ScenarioError::new(file, format!("actions[{i}]"), r))).collect()
}

/// Parse one action in the text form (`30s crash s1`).
pub fn parse_text(text: &str) -> Result<InjectedAction, String> {
    let mut words = text.split_whitespace();
    let at = words.next().ok_or_else(|| format!("empty action (forms: {TEXT_FORMS})"))?;
    let verb = words.next().ok_or_else(|| format!("`{text}`: no action after the time (forms: {TEXT_FORMS})"))?;
    let rest: Vec<&str> = words.collect();
    let (positional, options) = split_options(&rest);
    let arg = |i: usize, what: &str| positional.get(i).map(|s| s.to_string()).ok_or_else(|| format!("`{text}`: `{verb}` needs {what}"));
    let planes = || options.get("planes").map(|p| p.split(',').map(str::to_string).collect()).unwrap_or_default();
    let flag = |name: &str| positional.contains(&name);
    let action = match verb {
        "crash" => ActionSpec::Crash { node: arg(0, "a node")? },
        "restart" => ActionSpec::Restart { node: arg(0, "a node")? },
        "power_off" => ActionSpec::PowerOff { node: arg(0, "a node")? },
        "power_on" => ActionSpec::PowerOn { node: arg(0, "a node")? },
        "pause" => ActionSpec::Pause { node: arg(0, "a node")?, duration: Quantity::Text(arg(1, "a node and a duration")?) },
        "clock_skew" => {
            let ppm = arg(1, "a node and a rate in ppm")?;
            ActionSpec::ClockSkew { node: arg(0, "a node")?, ppm: ppm.parse().map_err(|_| format!("`{text}`: `{ppm}` is not a whole number of ppm"))? }
        }
        "clock_step" => {
            let by = arg(1, "a node and a duration")?;
            let (backwards, by) = match by.strip_prefix('-') {
                Some(b) => (true, b.to_string()),
                None => (false, by),
            };
            ActionSpec::ClockStep { node: arg(0, "a node")?, by: Quantity::Text(by), backwards }
        }
        "cut" | "heal" => {
            let (from, to) = (arg(0, "two nodes")?, arg(1, "two nodes")?);
            let both_ways = flag("both");
            if verb == "cut" {
                ActionSpec::Cut { from, to, planes: planes(), both_ways }
            } else {
                ActionSpec::Heal { from, to, planes: planes(), both_ways }
            }
        }
        "netem" => ActionSpec::Netem {
            from: arg(0, "two nodes")?,
            to: arg(1, "two nodes")?,
            planes: planes(),
            both_ways: flag("both"),
            loss: options.get("loss").map(|v| Quantity::Text(v.to_string())),
            delay: options.get("delay").map(|v| Quantity::Text(v.to_string())),
        },
        "partition" => {
            let groups = arg(0, "groups like a,b/c,d")?;
            ActionSpec::Partition { groups: groups.split('/').map(|g| g.split(',').map(str::to_string).collect()).collect(), planes: planes() }
        }
        "heal_partition" => {
            let groups = arg(0, "groups like a,b/c,d")?;
            ActionSpec::HealPartition { groups: groups.split('/').map(|g| g.split(',').map(str::to_string).collect()).collect(), planes: planes() }
        }
        "heal_all" => ActionSpec::HealAll,
        "device_fault" => ActionSpec::DeviceFault {
            device: arg(0, "a device and a drop fraction")?,
            drop: Quantity::Text(arg(1, "a device and a drop fraction")?),
            planes: planes(),
            pairs: vec![],
            both_ways: flag("both"),
            carrier_up: flag("carrier_up"),
        },
        "device_heal" => ActionSpec::DeviceHeal { device: arg(0, "a device")? },
        "command" => {
            let nodes = arg(0, "nodes and a command name")?.split(',').map(str::to_string).collect();
            let name = arg(1, "nodes and a command name")?;
            let command = if options.is_empty() {
                CommandSpec::Name(name)
            } else {
                let mut args = BTreeMap::new();
                args.extend(options.iter().map(|(k, v)| (k.to_string(), Quantity::Text(v.to_string()))));
                CommandSpec::WithArgs(BTreeMap::from([(name, args)]))
            };
            ActionSpec::Command { nodes, command }
        }
        "note" => ActionSpec::Note,
        "end" => ActionSpec::End,
        other => return Err(format!("`{text}`: no action `{other}` (forms: {TEXT_FORMS})")),
    };
    Ok(InjectedAction { at: Quantity::Text(at.to_string()), action })
}

/// Words with `=` are options (`planes=a,b`, `loss=5%`); the rest are positional.
fn split_options<'a>(words: &[&'a str]) -> (Vec<&'a str>, BTreeMap<&'a str, &'a str>) {
    let mut positional = vec![];
    let mut options = BTreeMap::new();
    for w in words {
        match w.split_once('=') {
            Some((k, v)) => {
                options.insert(k, v);
            }
            None => positional.push(*w),
        }
    }
    (positional, options)
}

fn quantity_text(q: &Quantity) -> String {
    match q {
        Quantity::Number(n) => crate::scenario::error::number(*n),
        Quantity::Text(t) => t.clone(),
    }
}

/// The text form of an action (the inverse of `parse_text` for what it covers).
pub fn to_text(a: &InjectedAction) -> String {
    let planes = |p: &[String]| if p.is_empty() { String::new() } else { format!(" planes={}", p.join(",")) };
    let both = |b: bool| if b { " both" } else { "" };
    let what = match &a.action {
        ActionSpec::Note => "note".to_string(),
        ActionSpec::End => "end".to_string(),
        ActionSpec::Crash { node } => format!("crash {node}"),
        ActionSpec::Restart { node } => format!("restart {node}"),
        ActionSpec::PowerOff { node } => format!("power_off {node}"),
        ActionSpec::PowerOn { node } => format!("power_on {node}"),
        ActionSpec::Pause { node, duration } => format!("pause {node} {}", quantity_text(duration)),
        ActionSpec::ClockSkew { node, ppm } => format!("clock_skew {node} {ppm}"),
        ActionSpec::ClockStep { node, by, backwards } => format!("clock_step {node} {}{}", if *backwards { "-" } else { "" }, quantity_text(by)),
        ActionSpec::Cut { from, to, planes: p, both_ways } => format!("cut {from} {to}{}{}", both(*both_ways), planes(p)),
        ActionSpec::Heal { from, to, planes: p, both_ways } => format!("heal {from} {to}{}{}", both(*both_ways), planes(p)),
        ActionSpec::Netem { from, to, planes: p, both_ways, loss, delay } => format!(
            "netem {from} {to}{}{}{}{}",
            both(*both_ways),
            loss.as_ref().map_or(String::new(), |q| format!(" loss={}", quantity_text(q))),
            delay.as_ref().map_or(String::new(), |q| format!(" delay={}", quantity_text(q))),
            planes(p)
        ),
        ActionSpec::Partition { groups, planes: p } => {
            format!("partition {}{}", groups.iter().map(|g| g.join(",")).collect::<Vec<_>>().join("/"), planes(p))
        }
        ActionSpec::HealPartition { groups, planes: p } => {
            format!("heal_partition {}{}", groups.iter().map(|g| g.join(",")).collect::<Vec<_>>().join("/"), planes(p))
        }
        ActionSpec::HealAll => "heal_all".to_string(),
        ActionSpec::DeviceFault { device, drop, planes: p, both_ways, carrier_up, .. } => {
            format!("device_fault {device} {}{}{}{}", quantity_text(drop), if *carrier_up { " carrier_up" } else { "" }, both(*both_ways), planes(p))
        }
        ActionSpec::DeviceHeal { device } => format!("device_heal {device}"),
        ActionSpec::Command { nodes, command } => match command {
            CommandSpec::Name(name) => format!("command {} {name}", nodes.join(",")),
            CommandSpec::WithArgs(map) => {
                let mut out = format!("command {}", nodes.join(","));
                for (name, args) in map {
                    out.push_str(&format!(" {name}"));
                    for (k, v) in args {
                        out.push_str(&format!(" {k}={}", quantity_text(v)));
                    }
                }
                out
            }
        },
    };
    format!("{} {what}", quantity_text(&a.at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_read_back_as_they_were_written() {
        for line in [
            "30s crash s1",
            "1h2min restart db1",
            "10s pause n2 45s",
            "5s clock_step n1 -2s",
            "5s clock_skew n1 -20000",
            "11h30min cut fs1 fs2 both planes=cluster",
            "2min netem a b both loss=5% delay=50ms",
            "1min partition a,b/c,d,e",
            "2min heal_partition a,b/c,d,e planes=cluster",
            "3min heal_all",
            "1min device_fault sw1 100% carrier_up",
            "90s command db2 fill_disk bytes=20GB",
            "90s command fs1,fs2 maintenance_on",
        ] {
            let a = parse_text(line).unwrap();
            assert_eq!(to_text(&a), line);
        }
    }

    #[test]
    fn bad_text_says_what_is_missing() {
        assert!(parse_text("").unwrap_err().contains("empty action"));
        assert!(parse_text("30s").unwrap_err().contains("no action after the time"));
        assert!(parse_text("30s explode s1").unwrap_err().contains("no action `explode`"));
        assert!(parse_text("30s pause s1").unwrap_err().contains("`pause` needs a node and a duration"));
        assert!(parse_text("30s clock_skew s1 fast").unwrap_err().contains("not a whole number"));
    }
}
