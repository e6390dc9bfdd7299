//! A field's path in a scenario file, as errors name it:
//! `nodes[3].model.postgres.wal_keep_segments`. Builders extend the path they
//! were given instead of formatting strings, so every error names its field the
//! same way: `p.field("brokers").index(2)` is `….brokers[2]`.

use std::fmt;
use std::ops::Deref;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldPath(String);

impl FieldPath {
    /// A path from its text (`""` is the document itself).
    pub fn at(path: &str) -> FieldPath {
        FieldPath(path.to_string())
    }

    /// The member `name` of this object.
    #[must_use]
    pub fn field(&self, name: &str) -> FieldPath {
        if self.0.is_empty() {
            return FieldPath(name.to_string());
        }
        FieldPath(format!("{}.{name}", self.0))
    }

    /// Item `i` of this list.
    #[must_use]
    pub fn index(&self, i: usize) -> FieldPath {
        FieldPath(format!("{}[{i}]", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A path reads as its text wherever a `&str` is asked for.
impl Deref for FieldPath {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<FieldPath> for String {
    fn from(p: FieldPath) -> String {
        p.0
    }
}

impl From<&FieldPath> for String {
    fn from(p: &FieldPath) -> String {
        p.0.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_indices_join_as_errors_print_them() {
        let p = FieldPath::at("nodes").index(3).field("model").field("kafka");
        assert_eq!(p.as_str(), "nodes[3].model.kafka");
        assert_eq!(p.field("isr").index(0).to_string(), "nodes[3].model.kafka.isr[0]");
        assert_eq!(FieldPath::default().field("timeline").as_str(), "timeline", "no leading dot at the root");
        assert_eq!(&*p.index(1).index(0), "nodes[3].model.kafka[1][0]");
    }
}
