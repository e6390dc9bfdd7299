//! Operator commands: what a person (or a runbook) can tell one model to do. Each
//! model declares its own command type (`impl CommandSet`), with arguments where
//! the command needs them (a target host, a byte count); the registry row names
//! it (`command HubVariant(Type)`) and the hub enum `Command` (in `model/msg.rs`)
//! is generated from the table, so a model matches exhaustively over its own
//! commands and never sees another model's.
//!
//! Scenario files, injected actions and the page name a command as text
//! (`"maintenance_on"`, or `{"fill_disk": {"bytes": "20GB"}}`); the target
//! node's model parses it through `CommandSet::parse`, reading its arguments
//! through an `ArgReader` the scenario layer provides (names to ids, units to
//! integers), so this module stays free of the file format.

use serde::Serialize;

use crate::ids::NodeId;

/// What an argument holds, for the page's form and for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArgKind {
    /// A node name.
    Node,
    /// A duration with a unit (`"30s"`).
    Duration,
    /// A size with a unit (`"20GB"`).
    Bytes,
    /// A rate with a unit (`"50MB/s"`).
    Rate,
}

/// One argument of a command.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ArgInfo {
    pub name: &'static str,
    pub kind: ArgKind,
    pub description: &'static str,
    /// Left out, the command uses the model's configured value.
    pub optional: bool,
}

/// One command a model accepts, as the page lists it.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct CommandInfo {
    pub name: &'static str,
    pub description: &'static str,
    pub args: &'static [ArgInfo],
}

/// Reads a command's arguments; the scenario layer implements it over the JSON
/// object of the command (field paths and units are its business). Each method
/// returns `Ok(None)` when the argument is absent.
pub trait ArgReader {
    fn node(&mut self, name: &str) -> Result<Option<NodeId>, String>;
    fn duration_us(&mut self, name: &str) -> Result<Option<u64>, String>;
    fn bytes(&mut self, name: &str) -> Result<Option<u64>, String>;
    fn bytes_per_s(&mut self, name: &str) -> Result<Option<u64>, String>;
}

/// A model's command type.
pub trait CommandSet: Copy + Sized {
    /// Every command, in the order the page lists them.
    const LIST: &'static [CommandInfo];
    /// The command named `name`; `Err` says what is wrong (the caller adds the field path).
    fn parse(name: &str, args: &mut dyn ArgReader) -> Result<Self, String>;
}

/// A required argument: absent is an error naming it.
pub fn required<T>(value: Result<Option<T>, String>, name: &str) -> Result<T, String> {
    value?.ok_or_else(|| format!("needs the argument `{name}`"))
}

/// The error for a name that is not in `list`.
pub fn unknown(name: &str, list: &[CommandInfo]) -> String {
    let names: Vec<&str> = list.iter().map(|c| c.name).collect();
    format!("no command `{name}` here (commands: {})", if names.is_empty() { "none".to_string() } else { names.join(", ") })
}

/// Declares a command type whose commands take no arguments: the enum, its
/// list and its parser, from one table of `Variant = "name": "description"`.
macro_rules! unit_commands {
    ( $(#[$m:meta])* $vis:vis enum $name:ident { $( $(#[$vm:meta])* $v:ident = $key:literal : $desc:literal ),+ $(,)? } ) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name { $( $(#[$vm])* $v ),+ }

        impl $crate::model::command::CommandSet for $name {
            const LIST: &'static [$crate::model::command::CommandInfo] = &[
                $( $crate::model::command::CommandInfo { name: $key, description: $desc, args: &[] } ),+
            ];
            fn parse(name: &str, _args: &mut dyn $crate::model::command::ArgReader) -> Result<Self, String> {
                match name {
                    $( $key => Ok(Self::$v), )+
                    other => Err($crate::model::command::unknown(other, Self::LIST)),
                }
            }
        }
    };
}
pub(crate) use unit_commands;

/// A model that takes no commands (its `Model::Command`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoCommand {}

impl CommandSet for NoCommand {
    const LIST: &'static [CommandInfo] = &[];
    fn parse(name: &str, _args: &mut dyn ArgReader) -> Result<Self, String> {
        Err(unknown(name, Self::LIST))
    }
}
