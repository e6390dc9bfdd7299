//! Operator commands from a file, an injected action or the page, resolved for
//! the target nodes' model: the model's own `CommandSet` parses the name and
//! reads its arguments through `Args`, which turns names into ids and units into
//! integers and remembers the field path of anything wrong.

use std::collections::{BTreeMap, BTreeSet};

use super::error::ScenarioError;
use super::format::{CommandSpec, Quantity, Scenario};
use super::models::BuildCx;
use crate::ids::NodeId;
use crate::model::command::ArgReader;
use crate::model::msg::Command;

/// The command `spec` for every node in `nodes`; they must all run one model.
/// `path` is the command's field path (`timeline[4].action.command.command`).
pub fn resolve(cx: &BuildCx, s: &Scenario, nodes: &[NodeId], spec: &CommandSpec, path: &str) -> Result<Command, ScenarioError> {
    let empty = BTreeMap::new();
    let (name, args, args_path) = match spec {
        CommandSpec::Name(name) => (name.as_str(), &empty, path.to_string()),
        CommandSpec::WithArgs(map) => {
            let mut entries = map.iter();
            match (entries.next(), entries.next()) {
                (Some((name, args)), None) => (name.as_str(), args, format!("{path}.{name}")),
                _ => return Err(cx.err(path, "give one command: a name, or an object with one key (the command) holding its arguments")),
            }
        }
    };
    let Some(&first) = nodes.first() else { return Err(cx.err(path, "the command has no target nodes")) };
    let model = &s.nodes[first.index()].model;
    for &n in nodes {
        let other = &s.nodes[n.index()].model;
        if other.name() != model.name() {
            return Err(cx.err(
                path,
                format!(
                    "`{}` runs `{}` and `{}` runs `{}`: send a command to nodes of one model",
                    s.nodes[first.index()].name,
                    model.name(),
                    s.nodes[n.index()].name,
                    other.name()
                ),
            ));
        }
    }
    let mut reader = Args { cx, args, path: &args_path, read: BTreeSet::new(), error: None };
    let command = model.parse_command(name, &mut reader).map_err(|reason| {
        reader.error.take().unwrap_or_else(|| cx.err(path, format!("`{}` runs `{}`: {reason}", s.nodes[first.index()].name, model.name())))
    })?;
    if let Some(extra) = args.keys().find(|k| !reader.read.contains(k.as_str())) {
        let known: Vec<&str> = model.commands().iter().find(|c| c.name == name).map(|c| c.args.iter().map(|a| a.name).collect()).unwrap_or_default();
        return Err(cx.err(
            format!("{args_path}.{extra}"),
            format!("`{name}` takes no argument `{extra}` (its arguments: {})", if known.is_empty() { "none".to_string() } else { known.join(", ") }),
        ));
    }
    Ok(command)
}

/// A command's arguments as the model reads them.
struct Args<'a, 'c> {
    cx: &'a BuildCx<'c>,
    args: &'a BTreeMap<String, Quantity>,
    path: &'a str,
    /// Which arguments the model asked for (any other is a mistake in the file).
    read: BTreeSet<String>,
    /// The full error of the argument that was wrong, with its field path.
    error: Option<ScenarioError>,
}

impl Args<'_, '_> {
    fn get<T>(&mut self, name: &str, convert: impl FnOnce(&BuildCx, &Quantity, &str) -> Result<T, ScenarioError>) -> Result<Option<T>, String> {
        self.read.insert(name.to_string());
        let Some(q) = self.args.get(name) else { return Ok(None) };
        let path = format!("{}.{name}", self.path);
        convert(self.cx, q, &path).map(Some).map_err(|e| {
            let reason = e.reason.clone();
            self.error = Some(e);
            reason
        })
    }
}

impl ArgReader for Args<'_, '_> {
    fn node(&mut self, name: &str) -> Result<Option<NodeId>, String> {
        self.get(name, |cx, q, path| match q {
            Quantity::Text(t) => cx.node(t, path),
            Quantity::Number(_) => Err(cx.err(path, "expected a node name")),
        })
    }
    fn duration_us(&mut self, name: &str) -> Result<Option<u64>, String> {
        self.get(name, |cx, q, path| cx.values.micros(q, path))
    }
    fn bytes(&mut self, name: &str) -> Result<Option<u64>, String> {
        self.get(name, |cx, q, path| cx.values.bytes(q, path))
    }
    fn bytes_per_s(&mut self, name: &str) -> Result<Option<u64>, String> {
        self.get(name, |cx, q, path| cx.values.bytes_per_s(q, path))
    }
}
